"""Languages and time zones: which language a page or an e-mail speaks, and in which time zone a
person reads dates.

The interface speaks English, German, French and Spanish (``settings.LANGUAGES``; catalogs in
``locale/``, compiled at install by ``scripts/bootstrap.sh``). A signed-in person reads it in the
language of their profile, else their browser's (``Accept-Language``), else the company's
(``LANGUAGE_CODE``); dates in the time zone of their profile, else the company's (``TIME_ZONE``):
``refprogram.middleware.PersonalPreferencesMiddleware``.

What a customer's contact reads (the consent page, the ask and feedback links, the withdrawal page,
every e-mail to them) speaks the contact's language: the one recorded on the contact, else the one
of their customer's country, else the company's — :func:`contact_language`, used through
:func:`for_contact`.
"""

from __future__ import annotations

import zoneinfo
from contextlib import AbstractContextManager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

# The interface's languages by the countries where they are the first language of business.
_COUNTRY_LANGUAGES = {
    "de": ("DE", "AT", "CH", "LI", "LU"),
    "fr": ("FR", "BE", "MC", "SN", "CI", "MA", "TN", "DZ", "CM", "CD"),
    "es": (
        "ES",
        "MX",
        "AR",
        "CO",
        "CL",
        "PE",
        "VE",
        "EC",
        "GT",
        "CU",
        "BO",
        "DO",
        "HN",
        "PY",
        "SV",
        "NI",
        "CR",
        "PA",
        "UY",
    ),
}
LANGUAGE_BY_COUNTRY = {
    country: code for code, countries in _COUNTRY_LANGUAGES.items() for country in countries
}


def language_codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def default_language() -> str:
    """The company's language (``LANGUAGE_CODE``) as one of the interface's languages."""
    return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def language_for_country(country: str | None) -> str:
    """The language a contact in ``country`` (ISO 3166 alpha-2) most likely reads; the company's
    when the country's language is not one of the interface's."""
    return LANGUAGE_BY_COUNTRY.get((country or "").upper(), default_language())


def contact_language(contact) -> str:
    """The language to speak to a customer's contact in (see the module's words)."""
    chosen = getattr(contact, "preferred_language", "") or ""
    if chosen in language_codes():
        return chosen
    customer = getattr(contact, "customer", None)
    return language_for_country(getattr(customer, "country", ""))


def for_contact(contact) -> AbstractContextManager:
    """``with for_contact(contact): …`` renders a page or an e-mail in the contact's language."""
    return translation.override(contact_language(contact) if contact is not None else default_language())


def validate_time_zone(value: str) -> None:
    """A time zone name from the IANA database (``Europe/Berlin``), or blank."""
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as Europe/Berlin.") % {"value": value}
        )


def in_company_language(text) -> str:
    """``text`` (a lazy label) in the company's language, for what is stored rather than shown
    (a history note reads the same whoever acted)."""
    with translation.override(default_language()):
        return str(text)
