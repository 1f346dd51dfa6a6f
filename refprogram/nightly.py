"""The registry of nightly checks.

Each app registers its checks (in its ``checks.py``, imported from ``AppConfig.ready``); the
Celery beat task and ``manage.py run_nightly_checks`` run them all through :func:`run_all`.
A check is a function ``(today: date) -> dict[str, int]`` returning what it changed; running
it twice in a row must change nothing the second time. A whole run (no ``only``) records what each
check changed and ends with the managers' morning digest (``refprogram.digest``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

Check = Callable[[date], dict[str, int]]


@dataclass(frozen=True)
class RegisteredCheck:
    name: str
    order: int
    func: Check


_REGISTRY: dict[str, RegisteredCheck] = {}


def register(name: str, order: int = 100) -> Callable[[Check], Check]:
    """Add a check to the nightly run; lower ``order`` runs first."""

    def decorator(func: Check) -> Check:
        _REGISTRY[name] = RegisteredCheck(name=name, order=order, func=func)
        return func

    return decorator


def registered() -> list[RegisteredCheck]:
    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.name))


def run_all(today: date | None = None, only: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Run every registered check once, each in its own transaction, and report what changed."""
    from . import digest  # the morning digest (needs the apps loaded)

    today = today or timezone.localdate()
    results: dict[str, dict[str, int]] = {}
    for check in registered():
        if only and check.name not in only:
            continue
        with transaction.atomic():
            results[check.name] = check.func(today)
            if only is None:  # the whole run: recorded for the morning digest (``refprogram.digest``)
                digest.night_record(today=today, check=check.name, changes=results[check.name])
    if only is None:
        with transaction.atomic():
            digest.digest_send(today=today)
    return results
