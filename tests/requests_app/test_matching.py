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
    far_size = make_profile(size_band="smb", seniority="director")
    near_size_far_level = make_profile(size_band="enterprise", seniority="individual")
    best_busy = make_profile(size_band="enterprise", seniority="director")
    best_quiet = make_profile(size_band="enterprise", seniority="director")
    UsageEntryFactory(reference=best_busy, occurred_on=timezone.localdate() - timedelta(days=40))
    request = make_request(sales, size_band="enterprise", seniority="director")

    ids = _ids(_matches(api_as, manager, request))

    assert ids == [best_quiet.pk, best_busy.pk, near_size_far_level.pk, far_size.pk]


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
    assert "misses language de" in text
    assert "2 of 6 points" in text
    assert "Last used" in text and "Reference call" in text
    expected = matching.NICE_POINTS * 2 + matching.SIZE_POINTS + matching.SENIORITY_POINTS
    expected += matching.FRESH_POINTS - matching.LOAD_PENALTY * 2
    assert match["score"] == pytest.approx(expected)


def test_database_score_agrees_with_the_pure_formula(manager, sales, make_profile, make_request):
    for size, level, dep in (
        ("smb", "c_level", "cloud"),
        ("global", "manager", "hybrid"),
        ("midmarket", "vp", "cloud"),
    ):
        make_profile(size_band=size, seniority=level, deployment=dep, products=["Vault"])
    request = make_request(
        sales,
        nice=[("deployment", "cloud", 4), ("product", "Vault", 1)],
        size_band="enterprise",
        seniority="director",
    )
    today = timezone.localdate()
    from ledger.models import OverusePolicy

    policy = OverusePolicy.current()
    ranked = list(matching.rank_queryset(request, policy=policy, today=today))
    spec = matching.MatchSpec.for_request(request)
    for profile in ranked:
        pure = matching.score_profile(matching.facts_of(profile, used=profile.cap_used), spec, today)
        assert profile.score == pytest.approx(pure["score"])


def test_pure_score_function():
    spec = matching.MatchSpec(
        must=[{"field": "industry", "value": "finance"}],
        nice=[{"field": "product", "value": "Vault", "weight": 3}],
        size_band="enterprise",
        seniority="vp",
    )
    today = timezone.localdate()
    facts = matching.ProfileFacts(
        industry="finance",
        size_band="global",
        seniority="vp",
        products={"Vault"},
        last_validated=today,
        used=4,
    )
    result = matching.score_profile(facts, spec, today)
    assert result["must_missed"] == []
    assert result["parts"] == {
        "nice": 30.0,
        "size": matching.SIZE_POINTS - matching.SIZE_STEP,
        "seniority": matching.SENIORITY_POINTS,
        "fresh": matching.FRESH_POINTS,
        "load": -2.0,
    }
    other = matching.score_profile(matching.ProfileFacts(industry="retail"), spec, today)
    assert other["must_missed"] == [{"field": "industry", "value": "finance"}]


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
    make_profile(
        industry="healthcare",
        status="resting",
        resting_reason="request",
        activities=["call", "case_study", "event_meeting"],
    )
    request = make_request(sales, must=[("industry", "healthcare")])

    supply = api_as(manager).get(f"/api/v1/requests/{request.pk}/supply/").json()

    assert supply["short"] is True and supply["reason"] == "all_unavailable"
    codes = {a["activity_type"] for a in supply["alternatives"]}
    assert codes == {"case_study", "event_meeting"}
    assert any("approval" in a["note"] for a in supply["alternatives"])
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


def test_top_ranked_orders_exactly_as_the_annotated_queryset(sales, make_profile, make_request):
    """The matches list reads the top N through a CTE that computes ledger sums once per row;
    it must give the same references in the same order as ordering the queryset itself."""
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
    qs = matching.rank_queryset(request, policy=policy, today=today)
    expected = list(qs.values_list("pk", "can_propose")[:8])
    assert matching.top_ranked(qs, activity_type=request.activity_type, policy=policy, limit=8) == expected
    assert {ok for _, ok in expected} == {0, 1}  # both kinds are in the comparison


def test_early_top_ranking_stops_only_when_no_unread_candidate_can_rank(
    sales, make_profile, make_request, monkeypatch
):
    """The matches read the best candidates by ``base_score`` first and stop when no unread
    one can rank among the top; whenever it stops early its answer is the full ranking's, and
    when it cannot prove that, it says so (the full ranking runs)."""
    from ledger.models import OverusePolicy

    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_MIN", 4)
    monkeypatch.setattr(matching.ranking, "EARLY_BATCH_FACTOR", 1)
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
    outcomes = set()
    for nice in ([("product", "Vault", 3)], [("product", "Vault", 1)], []):
        request = make_request(sales, nice=nice, size_band="enterprise", seniority="vp")
        qs = matching.rank_queryset(request, policy=policy, today=today)
        for limit in (1, 2, 3, 4, 6):
            expected = list(qs.values_list("pk", "can_propose")[:limit])
            early = matching.ranking._top_ranked_early(
                qs, activity_type=request.activity_type, policy=policy, limit=limit
            )
            outcomes.add(early is not None)
            assert early is None or early == expected, (nice, limit)
            assert (
                matching.top_ranked(qs, activity_type=request.activity_type, policy=policy, limit=limit)
                == expected
            )
    assert outcomes == {True, False}  # both paths were exercised
