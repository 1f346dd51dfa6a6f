"""Nightly checks of the usage ledger, registered with ``refprogram.nightly``.

Each is a few set-based statements (an ``UPDATE … WHERE … RETURNING`` plus a bulk insert of the
profile events, or an aggregate and one notification per account owner) and changes nothing when
run a second time on the same day.
"""

from __future__ import annotations

from datetime import date

from refprogram.nightly import register

from . import services


@register("rest_at_cap", order=10)
def rest_at_cap(today: date) -> dict[str, int]:
    """Active references whose contact or customer spent its cap rest until the window frees them."""
    return services.profiles_rest_at_cap(today=today)


@register("wake_freed", order=20)
def wake_freed(today: date) -> dict[str, int]:
    """References resting at their cap wake when they are under both caps again."""
    return services.profiles_wake_freed(today=today)


@register("flag_stale", order=30)
def flag_stale(today: date) -> dict[str, int]:
    """Flag stale profiles and ask their account owners, once, to re-confirm."""
    return services.stale_profiles_notify(today=today)


@register("automatic_holds", order=5)
def automatic_holds(today: date) -> dict[str, int]:
    """Start the holds around renewals and for low customer health; end those whose cause went."""
    from . import holds

    return holds.holds_sync(today=today)
