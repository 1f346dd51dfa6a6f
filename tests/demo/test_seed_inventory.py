"""``manage.py seed_demo``: deterministic, realistic, polite on a non-empty database."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from accounts.models import User
from demo.vocabulary import COUNTRIES, DEMO_PASSWORD, DEMO_USERS
from ledger.models import OverusePolicy, UsageEntry
from references.choices import size_band_for
from references.models import Customer, Nomination, ReferenceProfile
from references.services import build_search_document, build_search_facets
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """Everything a user sees of the seeded program, without ids or timestamps."""
    lines = []
    for c in Customer.objects.select_related("account_owner").prefetch_related("products", "programs"):
        lines.append(
            f"C|{c.crm_id}|{c.name}|{c.industry_id}|{c.region_id}|{c.country}|{c.size_band}|{c.employees}|"
            f"{c.account_owner and c.account_owner.username}|{c.health_score}|{c.health_updated}|"
            f"{c.is_marquee}|"
            f"{[p.name for p in c.products.all()]}|{[p.name for p in c.programs.all()]}"
        )
    for p in ReferenceProfile.objects.select_related("contact", "customer").prefetch_related(
        "contact__languages", "activity_types", "products", "use_cases"
    ):
        lines.append(
            f"P|{p.customer.crm_id}|{p.contact.name}|{p.contact.title}|{p.contact.seniority}|{p.contact.email}|"
            f"{p.contact.phone}|{[x.code for x in p.contact.languages.all()]}|{p.status}|{p.headline}|"
            f"{p.deployment}|{p.competitor}|{p.last_validated}|{[a.code for a in p.activity_types.all()]}|"
            f"{[x.name for x in p.products.all()]}|{[u.name for u in p.use_cases.all()]}|{p.search_document}"
        )
    for n in Nomination.objects.select_related("customer"):
        lines.append(
            f"N|{n.customer.crm_id}|{n.contact_name}|{n.status}|{n.source}|{n.profile_id is not None}"
        )
    for u in UsageEntry.objects.select_related("reference__contact"):
        lines.append(
            f"U|{u.reference.contact.email}|{u.activity_type_id}|{u.status}|{u.points}|{u.occurred_on}"
        )
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() + f"/{len(lines)}"


class Discard(Exception):
    pass


def seeded_fingerprint(*args) -> str:
    """Seed a fresh database (a savepoint rolled back afterwards) and fingerprint it."""
    try:
        with transaction.atomic():
            seed(*args)
            result = fingerprint()
            raise Discard
    except Discard:
        pass
    assert not Customer.objects.exists() and not User.objects.filter(username="manager").exists()
    return result


def test_the_same_seed_gives_the_same_program():
    first = seeded_fingerprint("--scale", "30", "--seed", "7")
    second = seeded_fingerprint("--scale", "30", "--seed", "7")
    other = seeded_fingerprint("--scale", "30", "--seed", "8")

    assert first == second
    assert other != first


def test_it_refuses_a_database_that_already_has_customers():
    CustomerFactory(name="Real customer")

    output = seed("--scale", "5")

    assert "already holds a program" in output
    assert "It has no demo users" in output and "refprogram-demo" not in output
    assert list(Customer.objects.values_list("name", flat=True)) == ["Real customer"]
    assert not User.objects.filter(username="manager").exists()


def test_a_second_run_changes_nothing_and_prints_working_logins_at_the_given_address():
    """``scripts/dev.sh`` calls seed_demo on every start: the second start must still print
    logins that work, at the address it serves."""
    seed("--scale", "5")
    customers = Customer.objects.count()

    output = seed("--scale", "5", "--url", "http://127.0.0.1:8123/")

    assert Customer.objects.count() == customers
    assert "http://127.0.0.1:8123/" in output and "8000" not in output
    line = next(line for line in output.splitlines() if line.split()[:1] == ["manager"])
    assert line.split() == ["manager", "manager", "refprogram-demo"]
    assert Client().login(username="manager", password="refprogram-demo")


def test_logins_only_prints_the_logins_and_changes_nothing():
    output = seed("--logins-only")

    for username, role, _, _ in DEMO_USERS:
        assert f"{username}" in output and role in output
    assert DEMO_PASSWORD in output
    assert not Customer.objects.exists() and not User.objects.exists()


def test_it_prints_the_demo_logins_and_they_work():
    output = seed("--scale", "5")

    assert "http://127.0.0.1:8000/" in output
    for username, role, _, _ in DEMO_USERS:
        line = next(line for line in output.splitlines() if line.split()[:1] == [username])
        assert line.split() == [username, role, DEMO_PASSWORD]
        assert User.objects.get(username=username).role == role
        assert Client().login(username=username, password=DEMO_PASSWORD)


def test_the_program_is_realistic():
    seed("--scale", "60", "--seed", "3")
    today = timezone.localdate()
    policy = OverusePolicy.current()

    customers = list(Customer.objects.prefetch_related("products"))
    assert len(customers) == 60
    for c in customers:
        assert size_band_for(c.employees) == c.size_band
        assert c.country in {country[0] for country in COUNTRIES[c.region_id]}
        assert c.account_owner is None or c.account_owner.role == "sales"
    lines = {p.product_line for c in customers for p in c.products.all()}
    assert {"Management", "Security"} <= lines

    profiles = list(
        ReferenceProfile.objects.select_related(
            "customer__industry", "customer__region", "contact"
        ).prefetch_related(
            "products", "use_cases", "activity_types", "customer__products", "contact__languages"
        )
    )
    assert len(profiles) > 60
    statuses = {p.status for p in profiles}
    assert {"active", "resting", "retired"} <= statuses
    assert sum(p.status == "active" for p in profiles) > len(profiles) / 2
    for p in profiles:
        assert p.search_document == build_search_document(p)
        assert p.search_facets == build_search_facets(p)
        assert set(p.products.all()) <= set(p.customer.products.all())
        assert p.activity_types.exists()
    assert ReferenceProfile.objects.stale(today, policy).exists()
    assert ReferenceProfile.objects.fresh(today, policy).exists()
    assert Customer.objects.filter(health_updated__lt=today - timedelta(days=180)).exists()

    assert Nomination.objects.aging().exists()
    assert Nomination.objects.open().exclude(pk__in=Nomination.objects.aging().values("pk")).exists()

    # Usage shows on capacity but never over a cap: over-asks must be zero.
    assert UsageEntry.objects.exists()
    per_reference = UsageEntry.objects.counting().values("reference").annotate(s=Sum("points"))
    assert max(r["s"] for r in per_reference) <= policy.reference_cap
    per_customer = UsageEntry.objects.counting().values("customer").annotate(s=Sum("points"))
    assert max(r["s"] for r in per_customer) <= policy.customer_cap
    for entry in UsageEntry.objects.select_related("activity_type"):
        assert entry.points == entry.activity_type.weight
        assert today - timedelta(days=366) < entry.occurred_on < today
