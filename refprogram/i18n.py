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

import contextlib
import datetime
import zoneinfo
from contextlib import AbstractContextManager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


def preferences_activate(user) -> None:
    """Speak ``user``'s language and show dates in their time zone, when their profile names them
    (the pages: ``refprogram.middleware.PersonalPreferencesMiddleware``; an API call signed with a
    token: ``refprogram.authentication.TokenAuthentication``). The caller ends the time zone after
    the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    language = getattr(user, "language", "") or ""
    if language in language_codes():
        translation.activate(language)
    zone = zone_of(getattr(user, "time_zone", "") or "")
    if zone is not None:
        timezone.activate(zone)


def zone_of(name: str) -> zoneinfo.ZoneInfo | None:
    """A person's time zone from its IANA name; None when blank or unknown (then the company's)."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@contextlib.contextmanager
def as_reader(language: str, time_zone: str = ""):
    """Write for one person when no request is at hand (an e-mail, a notification, a calendar
    invitation): in their language, with dates and times in their time zone (else the company's)."""
    with translation.override(language), timezone.override(zone_of(time_zone)):
        yield


def zone_name() -> str:
    """The active time zone's name ("Europe/Paris", "UTC"), said after a time people must act on."""
    return timezone.get_current_timezone_name()


def day(value) -> str:
    """A date inside a sentence, the way the active language writes it ("01 Dec 2026",
    "1. Dez. 2026", "1 déc. 2026"); a date-time counts by its day."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    # Translators: a date inside a sentence, in Django's date format letters (d: 01, j: 1, M: Dec, Y: 2026).
    return date_format(value, pgettext("date in a sentence", "d M Y"))


def user_language(user) -> str:
    """The language to write to a person of the company in when no request is at hand (an e-mail,
    a calendar invitation): their profile's, else the company's."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in language_codes() else default_language()


def moment(value) -> str:
    """A date and time inside a sentence, the way the active language writes it, in the active
    time zone ("01 Dec 2026 14:30", "1. Dez. 2026 14:30")."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    # Translators: a date and a time inside a sentence, in Django's date format letters (H:i: 14:30).
    return date_format(value, pgettext("date and time in a sentence", "d M Y H:i"))


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
