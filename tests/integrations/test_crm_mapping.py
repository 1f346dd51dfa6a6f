"""A connection's mapping is checked before it is saved: known keys, CRM field names that cannot
smuggle anything into SOQL, codes that exist, and the defaults under what is given."""

import pytest
from django.core.exceptions import ValidationError

from integrations.crm.mapping import mapping_clean, mapping_for
from integrations.services.crm_sync import seniority_from_title

pytestmark = pytest.mark.django_db


def problems(kind, mapping):
    with pytest.raises(ValidationError) as caught:
        mapping_clean(kind, mapping)
    return caught.value.message_dict["mapping"]


def test_the_defaults_stay_under_what_is_given():
    merged = mapping_for("salesforce", {"account_fields": {"industry": "Sector__c"}, "won_stages": ["Won"]})
    assert merged["account_fields"]["industry"] == "Sector__c"
    assert merged["account_fields"]["country"] == "BillingCountry"
    assert (merged["won_stages"], merged["lost_stages"]) == (["Won"], ["Closed Lost"])
    assert mapping_for("salesforce", {})["won_stages"] == ["Closed Won"]  # the defaults are not changed


def test_a_valid_mapping_is_returned_as_given():
    given = {"industries": {"Banking": "finance"}, "regions": {"DE": "emea"}, "countries": {"Germany": "DE"}}
    assert mapping_clean("hubspot", given) == given


@pytest.mark.parametrize(
    "mapping, expected",
    [
        ([], "The mapping must be a JSON object."),
        ({"colour": "red"}, "Unknown key 'colour'."),
        ({"customer_field": "Type FROM User WHERE"}, "'Type FROM User WHERE' is not a CRM field name."),
        ({"account_fields": {"industry": "Industry, (SELECT Id FROM Contacts)"}}, "is not a CRM field name."),
        ({"account_fields": {"colour": "Colour__c"}}, "account_fields takes only"),
        ({"won_stages": "Closed Won"}, "won_stages must be a list of texts."),
        ({"won_stages": ["Done"], "lost_stages": ["Done"]}, "A stage cannot mean both won and lost."),
        ({"industries": {"Mining": "mining"}}, "industries: no such code mining."),
        ({"regions": {"DE": "europe"}}, "regions: no such code europe."),
        ({"sizes": {"Large": "huge"}}, "sizes: no such code huge."),
        ({"countries": {"Germany": "Deutschland"}}, "countries must map to ISO 3166 two-letter codes"),
        ({"industries": ["finance"]}, "industries must map CRM values to codes."),
    ],
)
def test_a_bad_mapping_says_what_is_wrong(mapping, expected):
    assert any(expected in problem for problem in problems("salesforce", mapping))


@pytest.mark.parametrize(
    "title, level",
    [
        ("Chief Information Officer", "c_level"),
        ("CTO", "c_level"),
        ("SVP Operations", "vp"),
        ("Vice President, Sales", "vp"),
        ("Head of IT", "director"),
        ("IT Manager", "manager"),
        ("Analyst", "individual"),
        ("Product Owner", "individual"),
        ("", "individual"),
    ],
)
def test_a_new_contact_s_seniority_is_read_from_the_title(title, level):
    assert seniority_from_title(title) == level
