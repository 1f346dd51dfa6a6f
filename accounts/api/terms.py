"""API of the program's words (API.md ``terms/``): everyone logged in reads them, administrators
rename them. The nouns' codes (``reference``, ``customer``) and every other field name of the API
stay as they are whatever the words; every change is a call to ``accounts.terms``."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from refprogram.authentication import TokenAuthentication

from .. import permissions as perms
from ..permissions import HasCapability
from ..terms import NOUNS, all_words, languages, term_check, terms_set


def _word(value):
    try:
        return term_check(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class _Strict(serializers.Serializer):
    """Refuses keys it does not know (a misspelt language or noun is a 400, not ignored)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: [_("Unknown key.")] for key in unknown})
        return super().to_internal_value(data)


class WordsSerializer(_Strict):
    # The length and the plain-text rule are ``accounts.terms.term_check``'s (one message each).
    singular = serializers.CharField(max_length=1000, required=False, validators=[_word])
    plural = serializers.CharField(max_length=1000, required=False, validators=[_word])


class LanguageWordsSerializer(_Strict):
    def get_fields(self):
        return {
            noun.code: WordsSerializer(
                required=False,
                allow_null=True,
                help_text=f"The words for *{noun.code}*; null goes back to the interface's usual words.",
            )
            for noun in NOUNS
        }


class TermsPatchSerializer(_Strict):
    """``{language: {noun: {"singular", "plural"} | null}}``: only what is sent changes."""

    def get_fields(self):
        return {code: LanguageWordsSerializer(required=False) for code in languages()}


_WORDS = inline_serializer(
    "TermWords",
    {
        "singular": serializers.CharField(),
        "plural": serializers.CharField(),
        "renamed": serializers.BooleanField(help_text="False: the interface's usual word in that language."),
    },
)
_RESPONSE = inline_serializer(
    "Terms",
    {
        code: inline_serializer(f"TermsIn{code.capitalize()}", {noun.code: _WORDS for noun in NOUNS})
        for code in languages()
    },
)


class TermsView(APIView):
    """The program's words for its main nouns in every interface language (`en`, `de`, `fr`,
    `es`): `{"en": {"reference": {"singular": "Advocate", "plural": "Advocates", "renamed": true},
    "customer": {...}}, "de": {...}}`. Pages use them for the navigation, headings, labels and
    table headers. `PATCH` (administrators) renames: `{"en": {"reference": {"singular": "Advocate",
    "plural": "Advocates"}}}`; `null` for a noun goes back to the usual words. A word is plain
    text of 1 to 40 characters; a wrong one is a 400 naming it."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    required_capabilities = {"PATCH": perms.SET_TERMS}

    def get_permissions(self):
        if getattr(getattr(self, "request", None), "method", "GET") in ("GET", "HEAD", "OPTIONS"):
            return [IsAuthenticated()]
        return [HasCapability()]

    @extend_schema(responses={200: _RESPONSE})
    def get(self, request):
        return Response(all_words())

    @extend_schema(request=TermsPatchSerializer, responses={200: _RESPONSE})
    def patch(self, request):
        serializer = TermsPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                for language, words in serializer.validated_data.items():
                    terms_set(actor=request.user, language=language, words=dict(words))
        except DjangoValidationError as exc:  # the serializer checked every word already
            raise ValidationError(exc.message_dict) from exc
        return Response(all_words())
