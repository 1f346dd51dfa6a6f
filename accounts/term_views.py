"""Page: the program's words for its main nouns, for administrators (``accounts.terms`` decides).
One form per interface language; saving changes every language at once or none."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refprogram.views import add_service_errors, capability_required, posted

from . import permissions as perms
from .terms import MAX_LENGTH, NOUNS, NUMBERS, all_words, term_check, terms_set

_NUMBER_LABELS = (gettext_lazy("Singular"), gettext_lazy("Plural"))


class TermsForm(forms.Form):
    """A language's words: singular and plural of each renamable noun."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for noun in NOUNS:
            for number, lbl in zip(NUMBERS, _NUMBER_LABELS, strict=True):
                self.fields[f"{noun.code}_{number}"] = forms.CharField(
                    label=lbl,
                    validators=[term_check],
                    widget=forms.TextInput(
                        attrs={
                            "aria-label": format_lazy("{} ({})", noun.singular, lbl),
                            "maxlength": MAX_LENGTH,
                        }
                    ),
                )

    def rows(self):
        """(noun, singular field, plural field) for the template's table."""
        return [(noun, self[f"{noun.code}_singular"], self[f"{noun.code}_plural"]) for noun in NOUNS]

    def words(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {noun.code: {n: data[f"{noun.code}_{n}"] for n in NUMBERS} for noun in NOUNS}


class _Refused(Exception):
    """A language's words were refused: undo the others'."""


@capability_required(perms.SET_TERMS)
def terms_edit(request):
    """Rename the main nouns ("Advocate" for reference, "Account" for customer) per language."""
    current = all_words()
    sections = []
    for code, name in settings.LANGUAGES:
        initial = {f"{noun}_{n}": words[n] for noun, words in current[code].items() for n in NUMBERS}
        sections.append((code, name, TermsForm(posted(request), prefix=code, initial=initial)))
    if request.method == "POST" and all(form.is_valid() for _code, _name, form in sections):
        try:
            with transaction.atomic():
                refused = False
                for code, _name, form in sections:
                    try:
                        terms_set(actor=request.user, language=code, words=form.words())
                    except ValidationError as exc:
                        add_service_errors(form, exc)
                        refused = True
                if refused:
                    raise _Refused
        except _Refused:
            pass
        else:
            messages.success(request, _("The program's words are saved."))
            return redirect("terms")
    failed = any(form.errors for _code, _name, form in sections)
    return render(request, "accounts/terms.html", {"sections": sections}, status=400 if failed else 200)
