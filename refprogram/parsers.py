"""The API's JSON parser: DRF's, but a body nested too deeply for Python's parser is a 400.

``json.loads`` raises ``RecursionError`` (not ``ValueError``) on a few thousand nested brackets,
which DRF's parser lets through as a 500. Anything a client sends must be a 400 at worst.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type=media_type, parser_context=parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
