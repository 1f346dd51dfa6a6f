"""The matching engine through `GET /api/v1/requests/{id}/matches/` and its pure formula."""

from datetime import timedelta

import pytest
from django.utils import timezone

from references.models import ActivityType
from requests_app import matching
from requests_app.models import UnmetDemand
from tests.factories import UsageEntryFactory

pytestmark = pytest.mark.django_db


def _matches(api_as, manager, request):
    response = api_as(manager).get(f"/api/v1/requests/{request.pk}/matches/")
    assert response.status_code == 200, response.content
    return response.json()


def _ids(matches):
    return [m["reference"]["id"] for m in matches]


def test_must_haves_are_hard_filters(api_as, manager, sales, make_profile, make_request):
    fits = make_profile(industry="finance", region="emea", products=["Vault"])
    wrong_industry = make_profile(industry="retail", region="emea", products=["Vault"])
    wrong_product = make_profile(industry="finance", region="emea", products=["Other"])
    wrong_region = make_profile(industry="finance", region="na", products=["Vault"])
    request = make_request(sales, must=[("industry", "finance"), ("region", "emea"), ("product", "Vault")])

    ids = _ids(_matches(api_as, manager, request))

    assert ids == [fits.pk]
    assert not {wrong_industry.pk, wrong_product.pk, wrong_region.pk} & set(ids)


def test_never_retired_nominated_unwilling_or_private_for_public(
    api_as, manager, sales, make_profile, make_request
):
    ok = make_profile(activities=["case_study"])
    make_profile(activities=["case_study"], status="retired")
    make_profile(activities=["case_study"], status="nominated")
    make_profile(activities=["call"])  # does not do case studies
    make_profile(activities=["case_study"], private_only=True)
    request = make_request(sales, activity="case_study", must=[("industry", "finance")])

    assert _ids(_matches(api_as, manager, request)) == [ok.pk]


def test_heavier_nice_to_have_wins(api_as, manager, sales, make_profile, make_request):
    cloud = make_profile(deployment="cloud", languages=["en"])
    german = make_profile(deployment="on_premises", languages=["de"])
    request = make_request(sales, nice=[("language", "de", 5), ("deployment", "cloud", 2)])
    assert _ids(_matches(api_as, manager, request))[:2] == [german.pk, cloud.pk]

    request = make_request(sales, nice=[("language", "de", 2), ("deployment", "cloud", 5)])
    assert _ids(_matches(api_as, manager, request))[:2] == [cloud.pk, german.pk]


def test_equal_candidates_order_by_size_then_seniority_then_lower_usage(
    api_as, manager, sales, make_profile, make_request
):
    """Rewritten for matching v2's one scale: two levels too junior now weigh more than two size
    bands, and one recent call lowers a reference without sinking it below a poorer fit."""
    far_size = make_profile(size_band="smb", seniority="director")  # 30-20 + 40 + 10 + 5 = 65
    near_size_far_level = make_profile(size_band="enterprise", seniority="individual")  # 30 + 10 + 15 = 55
    best_busy = make_profile(size_band="enterprise", seniority="director")  # 85 - 8 - 8 = 69
    best_quiet = make_profile(size_band="enterprise", seniority="director")  # 85
    UsageEntryFactory(reference=best_busy, occurred_on=timezone.localdate() - timedelta(days=40))
    request = make_request(sales, size_band="enterprise", seniority="director")

    matches = _matches(api_as, manager, request)

    assert _ids(matches) == [best_quiet.pk, best_busy.pk, far_size.pk, near_size_far_level.pk]
    assert [m["score"] for m in matches] == [85, 69, 65, 55]


def test_resting_and_stale_are_marked_ranked_last_and_cannot_be_proposed(
    api_as, manager, sales, make_profile, make_request
):
    resting = make_profile(status="resting", resting_reason="request", deployment="cloud")
    stale = make_profile(validated_days_ago=400, deployment="cloud")
    plain = make_profile(deployment="hybrid")
    request = make_request(sales, nice=[("deployment", "cloud", 10)])

    matches = _matches(api_as, manager, request)

    assert _ids(matches)[0] == plain.pk  # available outranks better-scoring unavailable ones
    by_id = {m["reference"]["id"]: m for m in matches}
    assert by_id[resting.pk]["available"] is False
    assert by_id[stale.pk]["available"] is False
    assert by_id[stale.pk]["reference"]["is_stale"] is True
    assert "Stale" in by_id[stale.pk]["explanation"]
    client = api_as(manager)
    for ref, code in ((resting, "reference_unavailable"), (stale, "reference_stale")):
        response = client.post(
            f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json"
        )
        assert response.status_code == 409, response.content
        assert response.json()["code"] == code


def test_stale_proposal_is_refused_with_reason_code(api_as, manager, sales, make_profile, make_request):
    stale = make_profile(validated_days_ago=400)
    request = make_request(sales)
    response = api_as(manager).post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": stale.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "reference_stale"


def test_over_cap_reference_is_marked_and_ranked_below_available(
    api_as, manager, sales, make_profile, make_request
):
    full = make_profile(deployment="cloud")
    email = ActivityType.objects.get(code="email")
    for days in (20, 50, 80):
        UsageEntryFactory(
            reference=full, activity_type=email, occurred_on=timezone.localdate() - timedelta(days=days)
        )
    UsageEntryFactory(
        reference=full, occurred_on=timezone.localdate() - timedelta(days=100)
    )  # 2 points: 5 of 6
    other = make_profile(deployment="hybrid")
    request = make_request(sales, nice=[("deployment", "cloud", 10)])

    matches = _matches(api_as, manager, request)

    assert _ids(matches) == [other.pk, full.pk]
    assert matches[1]["available"] is False
    response = api_as(manager).post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": full.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "over_reference_cap"


def test_match_shape_and_explanation(api_as, manager, sales, make_profile, make_request):
    ref = make_profile(name="Acme Bank", products=["Vault"], languages=["en"], seniority="vp")
    UsageEntryFactory(reference=ref, occurred_on=timezone.localdate() - timedelta(days=60))
    request = make_request(
        sales,
        must=[("product", "Vault")],
        nice=[("language", "de", 3), ("deployment", "cloud", 2)],
        size_band="enterprise",
        seniority="vp",
    )

    [match] = _matches(api_as, manager, request)

    assert set(match) >= {"reference", "score", "met", "missed", "available", "explanation"}
    assert match["met"] == ["product", "deployment"]
    assert match["missed"] == ["language"]
    assert match["available"] is True
    assert match["reference"]["customer"]["name"] == "Acme Bank"
    assert match["reference"]["capacity"]["used"] == 2
    text = match["explanation"]
    assert "Meets every must-have (product Vault)" in text
    assert "misses language German" in text
    assert "2 of 6 points" in text
    assert "Last used" in text and "Reference call" in text
    assert "Customer health 50 (checked " in text
    # deployment cloud (weight 2) 14, same size band 30, same seniority 40, health 50 → 10, fresh 5;
    # one call 60 days ago (2 points, same activity: 4 weighted) costs 4 for the contact and 4 for
    # its customer.
    assert match["factors"] == [
        {"name": "nice_to_have", "points": 14, "detail": "deployment Cloud (weight 2)"},
        {"name": "size", "points": 30, "detail": "same size band as the prospect"},
        {"name": "seniority", "points": 40, "detail": "same seniority as the prospect's contact"},
        {"name": "health", "points": 10, "detail": "customer health 50"},
        {"name": "freshness", "points": 5, "detail": "validated within 90 days"},
        {"name": "reference_load", "points": -4, "detail": "4 weighted points of its own recent use"},
        {
            "name": "customer_load",
            "points": -4,
            "detail": "4 weighted points of recent use of its customer (all contacts)",
        },
    ]
    assert match["score"] == 91


def test_database_score_agrees_with_the_pure_formula(manager, sales, make_profile, make_request):
    """The ranking's SQL (base score and ledger load) and the one Python formula give every
    candidate the same score, factor by factor added up."""
    profiles = []
    for size, level, dep in (
        ("smb", "c_level", "cloud"),
        ("global", "manager", "hybrid"),
        ("midmarket", "vp", "cloud"),
        ("enterprise", "individual", "on_premises"),
    ):
        profiles.append(make_profile(size_band=size, seniority=level, deployment=dep, products=["Vault"]))
    for i, profile in enumerate(profiles):
        for days in range(i):
            UsageEntryFactory(
                reference=profile,
                occurred_on=timezone.localdate() - timedelta(days=20 + 50 * days),
                activity_type=ActivityType.objects.get(code="email" if days % 2 else "call"),
            )
    from references.models import Customer

    Customer.objects.filter(pk=profiles[1].customer_id).update(health_score=-7)
    from references.services import search_documents_refresh

    search_documents_refresh(profile_ids=[profiles[1].pk])
    request = make_request(
        sales,
        nice=[("deployment", "cloud", 4), ("product", "Vault", 1), ("competitor", "orac", 2)],
        size_band="enterprise",
        seniority="manager",
        industry="finance",
        products=["Ledger"],
    )
    today = timezone.localdate()
    from ledger.models import OverusePolicy

    policy = OverusePolicy.current()
    ranked = list(matching.rank_queryset(request, policy=policy, today=today))
    spec = matching.MatchSpec.for_request(request, policy=policy)
    assert len(ranked) == 4
    for profile in ranked:
        row = matching.facts_of(
            profile, reference_load=profile.reference_load, customer_load=profile.customer_load
        )
        assert profile.score == matching.score_row(row, spec, today)["score"]
    scores = sorted(p.score for p in ranked)
    assert len(set(scores)) > 1  # the comparison sees different scores


def test_pure_score_function():
    spec = matching.MatchSpec(
        must=[{"field": "industry", "value": "finance"}],
        nice=[{"field": "product", "value": "Vault", "weight": 3}],
        implicit=[{"field": "region", "value": "emea"}],
        size_band="enterprise",
        seniority="vp",
        activity="call",
        ids={("product", "Vault"): 12},
    )
    today = timezone.localdate()
    row = matching.Row.of(
        "industry=finance region=emea size=global seniority=director product=12 health=-12",
        last_validated=today,
        reference_load=4,
        customer_load=6,
    )
    result = matching.score_row(row, spec, today)
    assert result["must_missed"] == []
    assert [(f["name"], f["points"]) for f in result["factors"]] == [
        ("nice_to_have", 21),
        ("implicit", 7),
        ("size", 20),
        ("seniority", 25),  # one level too junior
        ("health", -2),  # -12 / 5 rounded toward zero
        ("freshness", 5),
        ("reference_load", -4),
        ("customer_load", -6),
    ]
    assert result["score"] == 66
    other = matching.score_row(matching.Row.of("industry=retail"), spec, today)
    assert other["must_missed"] == [{"field": "industry", "value": "finance"}]
    assert other["factors"] == [] and other["score"] == 0


def test_short_supply_no_match_records_unmet_demand_once(api_as, manager, sales, make_profile, make_request):
    near = make_profile(
        industry="finance", region="na", products=["Vault"], activities=["call", "case_study"]
    )
    make_profile(industry="retail", region="na", products=["Other"])
    request = make_request(
        sales,
        must=[("industry", "finance"), ("region", "emea"), ("product", "Vault")],
        industry="finance",
        region="emea",
    )
    client = api_as(manager)

    assert _matches(api_as, manager, request) == []
    supply = client.get(f"/api/v1/requests/{request.pk}/supply/").json()
    client.get(f"/api/v1/requests/{request.pk}/supply/")

    assert supply["short"] is True and supply["reason"] == "no_match"
    assert "No reference meets every must-have" in supply["message"]
    first = supply["nearest_misses"][0]
    assert first["reference"]["id"] == near.pk
    assert first["must_missed"] == ["region"]
    assert UnmetDemand.objects.filter(request=request).count() == 1
    unmet = UnmetDemand.objects.get(request=request)
    assert (unmet.industry_id, unmet.region_id, unmet.product.name, unmet.activity_type_id, unmet.reason) == (
        "finance",
        "emea",
        "Vault",
        "call",
        "no_match",
    )


def test_short_supply_all_unavailable_suggests_alternatives(
    api_as, manager, sales, make_profile, make_request
):
    from approvals.models import Approval

    resting = make_profile(
        industry="healthcare",
        status="resting",
        resting_reason="request",
        activities=["call", "case_study", "event_meeting"],
    )
    study = Approval.objects.create(
        customer=resting.customer,
        use="case_study",
        status="approved",
        scope=["website"],
        expires_on=timezone.localdate() + timedelta(days=90),
    )
    make_profile(industry="healthcare", activities=["event_meeting"])  # can meet at an event, not call
    request = make_request(sales, must=[("industry", "healthcare")])

    supply = api_as(manager).get(f"/api/v1/requests/{request.pk}/supply/").json()

    assert supply["short"] is True and supply["reason"] == "all_unavailable"
    codes = {a["activity_type"] for a in supply["alternatives"]}
    assert codes == {"case_study", "event_meeting"}
    urls = [a["url"] for a in supply["alternatives"] if a["kind"] == "case_study"]
    assert urls == [f"/approvals/{study.pk}/"]
    assert UnmetDemand.objects.get(request=request).reason == "all_unavailable"


def test_supply_not_short_records_nothing(api_as, manager, sales, make_profile, make_request):
    make_profile(industry="healthcare")
    request = make_request(sales, must=[("industry", "healthcare")])
    supply = api_as(manager).get(f"/api/v1/requests/{request.pk}/supply/").json()
    assert supply["short"] is False
    assert not UnmetDemand.objects.filter(request=request).exists()


def test_quick_supply_check_agrees_with_the_full_ranking(sales, make_profile, make_request):
    """Submitting asks only "can any reference be proposed now?"; that one query must answer as
    the full ranking would, whatever makes the candidates unavailable."""
    from ledger.models import OverusePolicy

    make_profile(industry="finance", country="DE")
    make_profile(industry="healthcare", validated_days_ago=400)  # stale
    make_profile(industry="retail", status="resting", resting_reason="request")
    busy = make_profile(industry="energy")
    for i in range(6):
        UsageEntryFactory(reference=busy, occurred_on=timezone.localdate() - timedelta(days=20 + i))
    make_profile(industry="telecom", activities=["email"])  # not willing to take a call
    today, policy = timezone.localdate(), OverusePolicy.current()
    answers = {}
    for industry in ("finance", "healthcare", "retail", "energy", "telecom", "media"):
        for must in ([("industry", industry)], [("industry", industry), ("country", "DE")]):
            request = make_request(sales, must=must)
            ranked = matching.matches_for_request(request, today=today, policy=policy)
            full = any(m["available"] for m in ranked)
            assert matching.any_can_be_proposed(request, policy=policy, today=today) is full, must
            answers[industry, len(must)] = full
    assert answers[("finance", 1)] and answers[("finance", 2)]
    assert not any(v for (industry, _), v in answers.items() if industry != "finance")


def test_fast_ranking_orders_exactly_as_the_database_ranking(sales, make_profile, make_request):
    """The matches list reads the best candidates by their one-row score first and weighs the
    ledger only for those; it must give the same references in the same order as ranking every
    candidate in the database."""
    from ledger.models import OverusePolicy

    for i, (size, level) in enumerate(
        [("smb", "vp"), ("enterprise", "manager"), ("global", "c_level"), ("enterprise", "vp")] * 3
    ):
        profile = make_profile(
            size_band=size,
            seniority=level,
            products=["Vault"] if i % 2 else [],
            validated_days_ago=10 if i % 3 else 400,
        )
        for day in range(i % 4):
            UsageEntryFactory(reference=profile, occurred_on=timezone.localdate() - timedelta(days=40 + day))
    request = make_request(sales, nice=[("product", "Vault", 3)], size_band="enterprise", seniority="vp")
    today, policy = timezone.localdate(), OverusePolicy.current()
    expected = list(
        matching.rank_queryset(request, policy=policy, today=today).values_list("pk", "can_propose")[:8]
    )
    matches = matching.matches_for_request(request, limit=8, today=today, policy=policy)
    assert [(m["reference"]["id"], int(m["available"])) for m in matches] == expected
    assert {ok for _, ok in expected} == {0, 1}  # both kinds are in the comparison


def test_early_stop_reads_fewer_rows_and_never_changes_the_order(
    sales, make_profile, make_request, monkeypatch
):
    """With small batches the ranking stops before weighing every candidate's ledger when no
    unread one can rank among the top, and reads on when one could; either way the order is the
    database ranking's."""
    from ledger.models import OverusePolicy

    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_MIN", 2)
    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_MIN_MANY", 2)
    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_FACTOR", 1)
    monkeypatch.setattr(matching.ranking, "READ_PAGE", 3)
    weighed = []
    original = matching.ranking._score_batch

    def counting(ids, *args, **kwargs):
        weighed.append(len(ids))
        return original(ids, *args, **kwargs)

    monkeypatch.setattr(matching.ranking, "_score_batch", counting)
    sizes = ["enterprise", "midmarket", "global", "smb"]
    for i in range(16):
        profile = make_profile(
            size_band=sizes[i % 4],
            seniority=["vp", "director", "manager"][i % 3],
            products=["Vault"] if i % 2 else [],
            validated_days_ago=10 if i % 5 else 400,
        )
        for day in range(i % 3):
            UsageEntryFactory(reference=profile, occurred_on=timezone.localdate() - timedelta(days=30 + day))
    today, policy = timezone.localdate(), OverusePolicy.current()
    totals = set()
    for nice in ([("product", "Vault", 3)], [("product", "Vault", 1)], []):
        request = make_request(sales, nice=nice, size_band="enterprise", seniority="vp")
        qs = matching.rank_queryset(request, policy=policy, today=today)
        for limit in (1, 2, 3, 4, 6):
            expected = list(qs.values_list("pk", "can_propose")[:limit])
            weighed.clear()
            matches = matching.matches_for_request(request, limit=limit, today=today, policy=policy)
            assert [(m["reference"]["id"], int(m["available"])) for m in matches] == expected, (nice, limit)
            totals.add(sum(weighed))
    assert min(totals) < 16 and max(totals) == 16  # stopped early, and read everything when needed


def test_the_documented_worked_example(api_as, manager, sales, make_profile, make_request):
    """docs/matching.md's worked example, built as written there: Nordbank 95, Atlantic Trust 86."""
    from references import services as inventory
    from tests.factories import ContactFactory, ReferenceProfileFactory

    nordbank = make_profile(
        name="Nordbank",
        region="emea",
        size_band="enterprise",
        seniority="director",
        languages=["de"],
        products=["Vault"],
        validated_days_ago=30,
    )
    atlantic = make_profile(
        name="Atlantic Trust",
        region="na",
        country="US",
        size_band="global",
        seniority="c_level",
        languages=["en"],
        products=["Vault", "Ledger"],
        validated_days_ago=10,
    )
    for profile, health in ((nordbank, 60), (atlantic, 85)):
        inventory.customer_update(customer=profile.customer, actor=manager, health_score=health)
    UsageEntryFactory(reference=nordbank, occurred_on=timezone.localdate() - timedelta(days=100))
    colleague = ReferenceProfileFactory(
        contact=ContactFactory(customer=nordbank.customer),
        customer=nordbank.customer,
        activity_types=["email"],
        last_validated=timezone.localdate(),
    )
    UsageEntryFactory(
        reference=colleague,
        activity_type=ActivityType.objects.get(code="email"),
        occurred_on=timezone.localdate() - timedelta(days=20),
    )
    request = make_request(
        sales,
        must=[("industry", "finance")],
        nice=[("language", "de", 3)],
        size_band="enterprise",
        seniority="vp",
        industry="finance",
        region="emea",
        products=["Vault", "Ledger"],
    )

    first, second = _matches(api_as, manager, request)

    assert (first["reference"]["id"], first["score"]) == (nordbank.pk, 95)
    assert [(f["name"], f["points"]) for f in first["factors"]] == [
        ("nice_to_have", 21),
        ("implicit", 7),
        ("implicit", 7),
        ("size", 30),
        ("seniority", 25),
        ("health", 12),
        ("freshness", 5),
        ("reference_load", -4),
        ("customer_load", -8),
    ]
    assert (second["reference"]["id"], second["score"]) == (atlantic.pk, 86)
    assert [(f["name"], f["points"]) for f in second["factors"]] == [
        ("implicit", 7),
        ("implicit", 7),
        ("size", 20),
        ("seniority", 30),
        ("health", 17),
        ("freshness", 5),
    ]
    assert "Implicit preferences from the prospect (not criteria): meets 2 of 3" in first["explanation"]
    assert "1 level more junior than the prospect's contact +25" in first["explanation"]
