"""An integrator's client: generated from the served schema with ``openapi-python-client`` (no
network), every module importable, and the flow token → customer → contact → reference →
request → matches → propose run against the live test server with the generated code only."""

import importlib
import json
import pkgutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import UserFactory

PACKAGE = "refprogram_client"
CONFIG = f"post_hooks: []\nproject_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n"


@pytest.fixture(scope="module")
def client_package(schema, tmp_path_factory):
    """The generated client, on ``sys.path`` for this module's tests."""
    where = tmp_path_factory.mktemp("client")
    (where / "schema.json").write_text(json.dumps(schema))
    (where / "config.yaml").write_text(CONFIG)
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(where / "schema.json"),
            "--output-path",
            str(where / "out" / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(where / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(where / "out"))
    yield importlib.import_module(PACKAGE)
    sys.path.remove(str(where / "out"))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def test_every_generated_module_imports(client_package):
    names = [m.name for m in pkgutil.walk_packages(client_package.__path__, PACKAGE + ".")]
    assert f"{PACKAGE}.api.requests.requests_candidates_create" in names
    assert f"{PACKAGE}.api.requests.requests_candidates_list" in names
    assert len(names) > 200
    for name in names:
        importlib.import_module(name)


def test_the_flow_from_token_to_proposal_with_the_generated_client(client_package, live_server):
    from references import defaults

    defaults.install()  # a transactional test: the shipped lists (industries, activity types…)
    UserFactory(username="integrator", role="manager")

    imp = importlib.import_module
    api = f"{PACKAGE}.api"
    models = imp(f"{PACKAGE}.models")
    token_create = imp(f"{api}.auth.auth_token_create")
    products_create = imp(f"{api}.products.products_create")
    customers_create = imp(f"{api}.customers.customers_create")
    contacts_create = imp(f"{api}.contacts.contacts_create")
    references_create = imp(f"{api}.references.references_create")
    requests_create = imp(f"{api}.requests.requests_create")
    matches_list = imp(f"{api}.requests.requests_matches_list")
    candidates_create = imp(f"{api}.requests.requests_candidates_create")
    candidates_list = imp(f"{api}.requests.requests_candidates_list")

    anonymous = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    token = token_create.sync(
        client=anonymous, body=models.TokenRequestRequest(username="integrator", password=PASSWORD)
    )
    assert isinstance(token, models.TokenResponse), token
    client = client_package.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
    )

    product = products_create.sync(
        client=client, body=models.ProductRequest(name="Ledger Cloud", product_line="Finance")
    )
    assert isinstance(product, models.Product), product
    customer = customers_create.sync(
        client=client,
        body=models.CustomerRequest(
            name="Acme Bank",
            industry="finance",
            region="emea",
            country="DE",
            size_band=models.SizeBandEnum.ENTERPRISE,
            products=["Ledger Cloud"],
            health_score=60,
            health_updated=timezone.localdate(),
        ),
    )
    assert isinstance(customer, models.Customer), customer
    contact = contacts_create.sync(
        client=client,
        body=models.ContactRequest(
            customer=customer.id,
            name="Doris Fischer",
            title="Head of Payments",
            seniority=models.SeniorityEnum.DIRECTOR,
            email="d.fischer@bank.example",
        ),
    )
    assert isinstance(contact, models.Contact), contact
    reference = references_create.sync(
        client=client,
        body=models.ReferenceProfileRequest(
            contact=contact.id,
            status=models.ProfileStatusEnum.ACTIVE,
            headline="Closed the books in two days instead of ten",
            activity_types=["call"],
            products=["Ledger Cloud"],
        ),
    )
    assert isinstance(reference, models.ReferenceProfile), reference
    assert reference.customer == customer.id

    request = requests_create.sync(
        client=client,
        body=models.RequestRequest(
            activity_type="call",
            prospect=models.ProspectRequest(name="Prospect Bank", industry="finance", region="emea"),
            needed_by=timezone.now() + timedelta(days=30),
            criteria=models.CriteriaRequest(
                must=[models.MustCriterionRequest(field=models.CriterionFieldEnum.INDUSTRY, value="finance")],
                nice=[
                    models.NiceCriterionRequest(field=models.CriterionFieldEnum.PRODUCT, value="Ledger Cloud")
                ],
            ),
        ),
    )
    assert isinstance(request, models.RequestSaved), request
    assert request.warnings == []
    assert request.urgency.level == models.UrgencyEnum.ON_TRACK
    assert request.criteria.must[0].field == models.CriterionFieldEnum.INDUSTRY

    matches = matches_list.sync(id=request.id, client=client)
    assert [m.reference.id for m in matches] == [reference.id]
    best = matches[0]
    assert best.reference.customer.name == "Acme Bank"
    assert best.available is True
    assert best.met_criteria[0].field == models.CriterionFieldEnum.INDUSTRY
    assert best.reference.capacity.available is True

    candidate = candidates_create.sync(
        id=request.id, client=client, body=models.CandidateProposeRequest(reference=reference.id)
    )
    assert isinstance(candidate, models.Candidate), candidate
    assert candidate.reference.id == reference.id
    assert candidate.reference.customer.name == "Acme Bank"
    assert candidate.score == best.score
    assert models.CandidateStateEnum.WITHDRAWN in candidate.next_states

    again = candidates_create.sync(
        id=request.id, client=client, body=models.CandidateProposeRequest(reference=reference.id)
    )
    assert isinstance(again, models.RuleRefusal), again
    assert again.code == models.ReasonCode.ALREADY_PROPOSED

    listed = candidates_list.sync(id=request.id, client=client)
    assert [c.id for c in listed] == [candidate.id]
