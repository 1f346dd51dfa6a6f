"""The approvals moved out of the references app with their tables: the move is state only, so a
database migrated before it keeps every table and every row, and the move can be undone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from approvals.models import Approval, ApprovalEvent, ConsentLink

BEFORE_THE_MOVE = [("references", "0007_approval_event_person"), ("approvals", None)]


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def test_the_moved_models_keep_their_old_tables():
    assert Approval._meta.db_table == "references_approval"
    assert ApprovalEvent._meta.db_table == "references_approvalevent"
    assert ConsentLink._meta.db_table == "references_consentlink"


@pytest.mark.django_db(transaction=True)
def test_an_approval_made_before_the_move_is_there_after_it_and_no_table_changes():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    tables_after = _tables()
    try:
        state = executor.migrate(BEFORE_THE_MOVE)
        undone = _tables()
        # Undoing the move drops none of the moved tables; only tables of features migrated
        # after it (e.g. candidate links, holds) go with their own migrations, and come back below.
        assert {"references_approval", "references_approvalevent", "references_consentlink"} <= undone
        # The CRM opportunities' table keeps its earlier name while the move to requests is undone.
        assert undone - {"integrations_opportunity"} <= tables_after
        old_apps = state.apps
        Customer = old_apps.get_model("references", "Customer")
        OldApproval = old_apps.get_model("references", "Approval")
        Industry = old_apps.get_model("references", "Industry")
        industry, _ = Industry.objects.get_or_create(code="retail", defaults={"name": "Retail"})
        Region = old_apps.get_model("references", "Region")
        region, _ = Region.objects.get_or_create(code="emea", defaults={"name": "EMEA"})
        customer = Customer.objects.create(name="Acme Corp", industry=industry, region=region)
        old = OldApproval.objects.create(customer=customer, use="logo", scope=["website"], title="Logo")

        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        assert _tables() == tables_after  # redoing it creates nothing
        moved = Approval.objects.get(pk=old.pk)
        assert (moved.customer.name, moved.use, moved.scope, moved.title) == (
            "Acme Corp",
            "logo",
            ["website"],
            "Logo",
        )
    finally:
        MigrationExecutor(connection).migrate(leaves)
