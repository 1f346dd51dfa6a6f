"""The API's JSON parser: DRF's, but a body nested too deeply for Python's parser is a 400.

``json.loads`` raises ``RecursionError`` (not ``ValueError``) on a few thousand nested brackets,
which DRF's parser lets through as a 500. Anything a client sends must be a 400 at worst.
"""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    """Also refuses NUL characters anywhere in the document: PostgreSQL cannot store them in text,
    so they would otherwise surface as a database error on whichever field meets them first."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from exc
        if _has_nul(data):
            raise ParseError(_("JSON parse error - text may not contain NUL (\\u0000) characters."))
        return data
