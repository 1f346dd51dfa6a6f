"""A match list is read in the reader's language: the explanation, every factor's detail and the
short-supply notes, with the criteria's values named as that language names them."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import UsageEntryFactory


def _match(client_as, user, request):
    response = client_as(user).get(f"/api/v1/requests/{request.pk}/matches/")
    assert response.status_code == 200, response.content
    [match] = response.json()
    return match


def _setup(make_profile, make_request, sales):
    ref = make_profile(name="Acme Bank", products=["Vault"], languages=["en"], seniority="vp")
    UsageEntryFactory(reference=ref, occurred_on=timezone.localdate() - timedelta(days=60))
    return make_request(
        sales,
        must=[("product", "Vault")],
        nice=[("language", "de", 3), ("deployment", "cloud", 2)],
        size_band="enterprise",
        seniority="vp",
    )


def test_a_german_manager_reads_the_match_in_german(client_as, manager, sales, make_profile, make_request):
    request = _setup(make_profile, make_request, sales)
    manager.language = "de"
    manager.save(update_fields=["language"])

    match = _match(client_as, manager, request)

    text = match["explanation"]
    assert "Erfüllt jedes Muss-Kriterium (Produkt Vault)." in text
    assert (
        # (the managed lists' names, such as languages and industries, are the program's own words, as stored)
        "Erfüllt 1 von 2 Wunschkriterien: Bereitstellung Cloud (Gewicht 2); verfehlt Sprache German." in text
    )
    assert "Kapazität: 2 von 6 Punkten in den letzten 180 Tagen genutzt (Kunde 2 von 8)." in text
    assert "Jetzt verfügbar." in text
    assert "Zuletzt genutzt am " in text and "(Erledigt)." in text
    assert "Meets" not in text and "Capacity" not in text
    details = {f["name"]: f["detail"] for f in match["factors"]}
    assert details["nice_to_have"] == "Bereitstellung Cloud (Gewicht 2)"
    assert details["size"] == "gleiche Größenklasse wie der Interessent"
    assert details["seniority"] == "gleiche Hierarchiestufe wie der Kontakt des Interessenten"
    assert details["health"] == "Kundengesundheit 50"
    # The codes and numbers do not change with the language.
    assert match["met"] == ["product", "deployment"] and match["missed"] == ["language"]


def test_an_english_manager_still_reads_english(client_as, manager, sales, make_profile, make_request):
    request = _setup(make_profile, make_request, sales)

    text = _match(client_as, manager, request)["explanation"]

    assert "Meets every must-have (product Vault)." in text
    assert "Meets 1 of 2 nice-to-haves: deployment Cloud (weight 2); misses language German." in text


def test_a_french_manager_reads_the_scale_and_supply_in_french(
    client_as, manager, sales, make_profile, make_request
):
    request = make_request(sales, must=[("industry", "retail")])  # no reference at all
    manager.language = "fr"
    manager.save(update_fields=["language"])

    body = client_as(manager).get(f"/api/v1/requests/{request.pk}/supply/").json()

    assert body["message"] == "Aucune référence ne remplit tous les critères obligatoires de cette demande."
    weights = {w["what"]: w["points"] for w in body["weights"]}
    assert weights["Tranche de taille"] == "30 pour la tranche du prospect, −10 par tranche d'écart"
    assert weights["Disponible maintenant"] == (
        "toujours classée avant les références en pause, périmées, détractrices ou au plafond"
    )
