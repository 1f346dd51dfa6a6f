"""The program's words for its main nouns: the one home of "what does this program call a
reference, a customer", in each interface language, and of who may rename them.

Programs differ in their words ("reference" or "advocate", "customer" or "account"). An
administrator renames a noun per language, singular and plural; without a renaming the
interface's usual word in that language is used (English: the words below; other languages:
their translation). Pages read the words through the ``terms`` context processor
(``accounts.context_processors.terms``) as ``terms.reference``, ``terms.references``,
``terms.customer``, ``terms.customers``: from the cache, so a page gains no query.

The words replace nouns that stand alone: the navigation, headings, table headers, labels.
Sentences keep their translated wording, since articles and genders differ between languages
("eine Referenz", "un ambassadeur"). The API's field names and codes never change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import permissions as perms
from .models import Term, User

MAX_LENGTH = 40
NUMBERS = ("singular", "plural")
CACHE_KEY = "accounts:terms:v1"
# Markup, template syntax and control characters: a word is plain text.
_NOT_PLAIN = re.compile(r"[<>{}\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Noun:
    """A renamable noun: its code (the API's, never translated) and its usual words."""

    code: str
    label: Promise
    singular: Promise
    plural: Promise


NOUNS: tuple[Noun, ...] = (
    Noun(
        "reference",
        gettext_lazy("Reference (the person who speaks for a customer)"),
        gettext_lazy("Reference"),
        gettext_lazy("References"),
    ),
    Noun(
        "customer",
        gettext_lazy("Customer (the company a reference works for)"),
        gettext_lazy("Customer"),
        gettext_lazy("Customers"),
    ),
)
NOUN_CODES = tuple(noun.code for noun in NOUNS)
_BY_CODE = {noun.code: noun for noun in NOUNS}


def languages() -> list[str]:
    """The interface's language codes, in ``settings.LANGUAGES`` order."""
    return [code for code, _name in settings.LANGUAGES]


def _language(code: str | None) -> str:
    code = (code or settings.LANGUAGE_CODE).lower().split("-")[0]
    return code if code in languages() else settings.LANGUAGE_CODE


def usual_words(noun: str, language: str) -> tuple[str, str]:
    """The interface's own (singular, plural) for ``noun`` in ``language``, without renaming."""
    entry = _BY_CODE[noun]
    with translation.override(language):
        return str(entry.singular), str(entry.plural)


def renamings() -> dict[str, dict[str, tuple[str, str]]]:
    """Every renaming, ``{language: {noun: (singular, plural)}}``: from the cache, else one
    query that fills it (kept until an administrator changes a word)."""
    stored = cache.get(CACHE_KEY)
    if stored is None:
        stored = {}
        for term in Term.objects.filter(noun__in=NOUN_CODES):
            stored.setdefault(term.language, {})[term.noun] = (term.singular, term.plural)
        cache.set(CACHE_KEY, stored, None)
    return stored


def forget() -> None:
    """Drop the cached renamings (now, and again when the change commits, so a page read in
    between cannot keep the old words)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def words(language: str | None = None) -> dict[str, str]:
    """The program's words in ``language`` (the active one by default), as pages read them:
    ``{"reference": "Advocate", "references": "Advocates", "customer": ..., "customers": ...}``."""
    language = _language(language or translation.get_language())
    renamed = renamings().get(language, {})
    result: dict[str, str] = {}
    for noun in NOUNS:
        singular, plural = renamed.get(noun.code) or usual_words(noun.code, language)
        result[noun.code] = singular
        result[f"{noun.code}s"] = plural
    return result


def _word(key: str) -> str:
    return words()[key]


# One word, read when shown (in the language active then): ``word("references")`` for labels
# built in Python, such as the dashboard's column headings.
word = lazy(_word, str)


def all_words() -> dict[str, dict[str, dict[str, str]]]:
    """Every language's words, ``{language: {noun: {"singular", "plural", "renamed"}}}`` (the API)."""
    renamed = renamings()
    result: dict[str, dict[str, dict[str, str]]] = {}
    for language in languages():
        result[language] = {}
        for noun in NOUNS:
            own = renamed.get(language, {}).get(noun.code)
            singular, plural = own or usual_words(noun.code, language)
            result[language][noun.code] = {"singular": singular, "plural": plural, "renamed": own is not None}
    return result


def term_check(value) -> str:
    """A word as a program may name a noun: plain text, 1 to 40 characters (spaces around it
    dropped). Returns the word; a ``ValidationError`` says what is wrong."""
    word = " ".join(str(value or "").split())
    if not word:
        raise ValidationError(_("Give a word."), code="blank")
    if len(word) > MAX_LENGTH:
        raise ValidationError(_("At most %(limit)d characters.") % {"limit": MAX_LENGTH}, code="max_length")
    if _NOT_PLAIN.search(word):
        raise ValidationError(_("Plain text only: no <, >, { or }."), code="invalid")
    return word


@transaction.atomic
def terms_set(*, actor: User, language: str, words: dict[str, dict[str, str] | None]) -> None:
    """Rename nouns in one language: ``words`` is ``{noun: {"singular": ..., "plural": ...}}``;
    a missing number keeps the current word, ``None`` (or the usual words) goes back to the
    interface's usual words. Administrators only. Every word is checked before anything is
    saved: a ``ValidationError`` names each wrong one as ``<noun>_<number>``."""
    if not perms.has_capability(actor, perms.SET_TERMS):
        raise PermissionDenied
    if language not in languages():
        raise ValidationError({"language": [_("Unknown language.")]})
    unknown = sorted(set(words) - set(NOUN_CODES))
    if unknown:
        raise ValidationError({"__all__": [_("Unknown noun: %(nouns)s.") % {"nouns": ", ".join(unknown)}]})
    current = renamings().get(language, {})
    errors: dict[str, list] = {}
    changes: dict[str, tuple[str, str] | None] = {}
    for noun, given in words.items():
        usual = usual_words(noun, language)
        if given is None:
            changes[noun] = None
            continue
        pair = list(current.get(noun) or usual)
        for index, number in enumerate(NUMBERS):
            if number not in given:
                continue
            try:
                pair[index] = term_check(given[number])
            except ValidationError as exc:
                errors[f"{noun}_{number}"] = exc.messages
        changes[noun] = None if tuple(pair) == usual else (pair[0], pair[1])
    if errors:
        raise ValidationError(errors)
    for noun, pair in changes.items():
        if pair is None:
            for term in Term.objects.filter(noun=noun, language=language):
                term._history_user = actor  # who put the usual word back (the audit log)
                term.delete()
        else:
            Term.objects.update_or_create(
                noun=noun,
                language=language,
                defaults={"singular": pair[0], "plural": pair[1], "updated_by": actor},
            )
    forget()
