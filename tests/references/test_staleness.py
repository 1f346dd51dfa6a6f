"""Staleness is the inventory's rule (``references.models.Staleness``); its setting is kept on the
program's one policy row, which the ledger owns. The inventory reads that row without importing
the ledger: changing the setting on the policy changes what the inventory calls stale."""

from datetime import date, timedelta

from ledger import services as ledger_services
from ledger.models import OverusePolicy
from references.models import ReferenceProfile, program_policy
from tests.factories import ReferenceProfileFactory

JUNE_1 = date(2025, 6, 1)


def test_the_inventory_reads_the_staleness_setting_of_the_policy_row(manager):
    validated_150_days_ago = ReferenceProfileFactory(
        last_validated=JUNE_1 - timedelta(days=150), contact__customer__health_updated=JUNE_1
    )
    validated_100_days_ago = ReferenceProfileFactory(
        last_validated=JUNE_1 - timedelta(days=100), contact__customer__health_updated=JUNE_1
    )
    # The default: stale after 180 days, so neither is.
    assert list(ReferenceProfile.objects.stale(JUNE_1)) == []

    ledger_services.policy_update(actor=manager, stale_after_days=120)

    policy = program_policy()
    assert type(policy) is OverusePolicy  # the ledger's row, pk 1
    assert (policy.pk, policy.stale_after_days) == (1, 120)
    assert policy.stale_cutoff(JUNE_1) == date(2025, 2, 1)  # 120 days before 1 June 2025
    assert list(ReferenceProfile.objects.stale(JUNE_1)) == [validated_150_days_ago]
    assert list(ReferenceProfile.objects.fresh(JUNE_1)) == [validated_100_days_ago]
