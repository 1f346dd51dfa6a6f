"""The interface in four languages (English, German, French, Spanish).

- Every template's visible text (text between tags, and the ``title``, ``placeholder``,
  ``aria-label`` and ``alt`` attributes) is marked for translation: a sentence left unmarked fails
  here with its template and line.
- Every marked string (templates and code) has its German, French and Spanish translation in
  ``locale/``: the catalogs are extracted afresh (``makemessages``, in a copy of the tree) and any
  entry missing, empty or fuzzy fails here.
- A person's language and time zone, and a contact's language, are chosen as ``refprogram.i18n``
  says.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType
from django.utils import timezone, translation

from refprogram import i18n

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "fr", "es")

# Text that is not a sentence of the interface: codes, units, symbols, brand and product names.
_NOT_WORDS = re.compile(
    r"^(?:RefProgram|Salesforce|HubSpot|Slack|SCIM|OIDC|SSO|API|CSV|JSON|PDF|URL|ID|OK|Art\.\s?1[45]|"
    r"GDPR|TOTP|QR|e\.g\.|vs\.?|[A-Z]{2,5}|[a-z]{1,2})$"
)
_ATTRIBUTE_ANY = re.compile(r"""\b(?:title|placeholder|aria-label|alt)\s*=\s*"([^"]*)\"""")
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&[#a-zA-Z0-9]+;")


def _words(text: str) -> list[str]:
    """The runs of words a reader would read in ``text`` (markup, entities and codes left out)."""
    text = _ENTITY.sub(" ", text)
    runs = []
    for run in re.split(r"[\n|·•—–:;,()\[\]/]+", text):
        run = run.strip(" .!?'\"*#%+=-_0123456789\t")
        if re.search(r"[A-Za-z]{2,}", run) and not _NOT_WORDS.match(run):
            runs.append(run)
    return runs


def unmarked_text(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of the visible text in a template that is not inside ``{% translate %}``
    or ``{% blocktranslate %}`` (nor in a comment, ``<script>`` or ``<style>``)."""
    parts: list[str] = []
    inside_block, inside_comment = False, False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                inside_block = True
            elif name in ("endblocktranslate", "endblocktrans"):
                inside_block = False
            elif name == "comment":
                inside_comment = True
            elif name == "endcomment":
                inside_comment = False
        if token.token_type != TokenType.TEXT or inside_block or inside_comment:
            # keep the line count: a tag or a skipped text may span lines
            parts.append("\x00" + "\n" * token.contents.count("\n"))
            continue
        parts.append(token.contents)
    skeleton = "".join(parts)
    skeleton = re.sub(
        r"<(script|style)\b.*?</\1>", lambda m: "\n" * m.group(0).count("\n"), skeleton, flags=re.S | re.I
    )
    found: list[tuple[int, int, str]] = []  # (line, 0 for an attribute / 1 for text, run)

    def line_of(position: int) -> int:
        return skeleton.count("\n", 0, position) + 1

    for tag in re.finditer(r"<[^>]*>", skeleton, re.S):
        for attribute in _ATTRIBUTE_ANY.finditer(tag.group(0)):
            for piece in attribute.group(1).split("\x00"):
                for run in _words(piece):
                    found.append((line_of(tag.start()), 0, run))
    position = 0
    for piece in re.split(r"(<[^>]*>|\x00)", skeleton, flags=re.S):
        if piece and not piece.startswith("<") and piece != "\x00":
            for run in _words(piece):
                found.append((line_of(position + len(piece) - len(piece.lstrip())), 1, run))
        position += len(piece)
    return [(line, run) for line, _kind, run in sorted(found, key=lambda f: (f[0], f[1]))]


def _templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def test_the_checker_finds_unmarked_text_and_accepts_marked_text():
    source = (
        '<h1>{% translate "Requests" %}</h1>\n<p title="Open it">Your requests</p>\n'
        "{% blocktranslate with n=count %}{{ n }} open requests{% endblocktranslate %}\n"
        "{# a comment #}{% comment %}Not shown{% endcomment %}<td>{{ value }}</td><td>CSV</td>"
    )
    assert unmarked_text(source) == [(2, "Open it"), (2, "Your requests")]


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_template_string_is_marked_for_translation(template):
    missing = unmarked_text(template.read_text())
    assert not missing, "\n".join(f"{template.name}:{line}: {text}" for line, text in missing)


@pytest.fixture(scope="module")
def fresh_catalogs(tmp_path_factory):
    """The catalogs as ``makemessages`` extracts them from the tree now, merged with the
    translations in ``locale/`` (a copy of the tree: the real catalogs are not touched)."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext (xgettext) is not installed: scripts/test.sh and .ci/run install it")
    copy = tmp_path_factory.mktemp("tree") / "tree"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", ".pgdata", "node_modules", "staticfiles", "private_media", "test-artifacts", "*.mo"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    args = ["makemessages", "--no-obsolete", "--no-location"] + [f"-l{code}" for code in LANGUAGES]
    subprocess.run(
        [sys.executable, "manage.py", *args, "--ignore=tests/*", "--ignore=benchmarks/*", "--ignore=docs/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "SECRET_KEY": "catalogs"},
    )
    return {
        code: polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / "django.po")) for code in LANGUAGES
    }


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}")


def placeholder_mismatches(entries) -> list[str]:
    """The msgids whose translation names other placeholders than the English (``%(name)s`` or
    ``{name}``): such a translation fails with a KeyError, or drops a value, when it is shown."""

    def names(text: str) -> set[str]:
        return {a or b for a, b in _PLACEHOLDER.findall(text or "")}

    bad = []
    for entry in entries:
        if not entry.translated():
            continue
        wanted = names(entry.msgid) | names(entry.msgid_plural)
        said = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        # A plural's singular may say "one" instead of the number (a count placeholder).
        if any(names(text) - wanted or (wanted - names(text)) - {"n", "count"} for text in said):
            bad.append(entry.msgid)
    return bad


def test_the_placeholder_check_finds_a_renamed_placeholder():
    good = polib.POEntry(msgid="Paused until %(day)s: %(why)s", msgstr="Pausiert bis %(day)s: %(why)s")
    renamed = polib.POEntry(msgid="Paused until %(day)s: %(why)s", msgstr="Pausiert bis %(day)s: %(reason)s")
    dropped = polib.POEntry(msgid="%(n)s of %(of)s", msgstr="%(n)s")
    assert placeholder_mismatches([good, renamed, dropped]) == [
        "Paused until %(day)s: %(why)s",
        "%(n)s of %(of)s",
    ]


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_the_english(code):
    catalog = polib.pofile(str(ROOT / "locale" / code / "LC_MESSAGES" / "django.po"))
    bad = placeholder_mismatches(catalog)
    assert not bad, f"{len(bad)} {code} translations with other placeholders, e.g. {bad[:10]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_marked_string_has_its_translation(fresh_catalogs, code):
    catalog = fresh_catalogs[code]
    missing = [entry.msgid for entry in catalog if not entry.translated() and not entry.obsolete]
    assert len(catalog) > 0
    assert not missing, f"{len(missing)} strings without a {code} translation, e.g. {missing[:10]}"


def test_a_contacts_language_is_theirs_else_their_countrys_else_the_companys(settings):
    settings.LANGUAGE_CODE = "en"

    class Customer:
        country = "AT"

    class Contact:
        preferred_language = ""
        customer = Customer()

    contact = Contact()
    assert i18n.contact_language(contact) == "de"
    contact.preferred_language = "fr"
    assert i18n.contact_language(contact) == "fr"
    contact.preferred_language, Customer.country = "", "JP"
    assert i18n.contact_language(contact) == "en"
    Customer.country = "MX"
    with i18n.for_contact(contact):
        assert translation.get_language() == "es"


@pytest.mark.django_db
def test_a_person_picks_a_language_and_a_time_zone(client, django_user_model):
    user = django_user_model.objects.create_user("ines", password="pw-unused", role="sales")
    client.force_login(user)
    page = client.get("/account/preferences/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"  # the browser's language until one is chosen

    response = client.post("/account/preferences/", {"language": "de", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.time_zone) == ("de", "Europe/Berlin")

    page = client.get("/account/preferences/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "de"  # the profile wins over the browser
    assert str(timezone.get_current_timezone()) == "UTC"  # the request's zone did not leak out

    bad = client.post("/account/preferences/", {"language": "xx", "time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"language", "time_zone"}


def test_what_is_stored_is_in_the_companys_language_whoever_acted(settings):
    from requests_app.choices import OutcomeResult

    settings.LANGUAGE_CODE = "en"
    with translation.override("de"):
        shown = str(OutcomeResult.WON.label)
        stored = i18n.in_company_language(OutcomeResult.WON.label)
    assert shown == "Gewonnen"
    assert stored == "Won"
