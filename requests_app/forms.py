"""The intake form. Criteria come as repeated row fields (``must_field``/``must_value``,
``nice_field``/``nice_value``/``nice_weight``), so the form works without JavaScript; the
criteria editor script only adds and removes rows and offers the chosen field's values.

People choose what a criterion is about by its label, type or pick the value by its label
("Financial services", not ``finance``) and say how much a nice-to-have matters in words: high,
medium or low (weights 5, 3 and 1 of the matching scale). The API keeps the codes and weights.
"""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from references.choices import SizeBand, country_choices, size_band_for
from references.models import ActivityType, Industry, Product, Region
from refprogram.validators import BoundedFormMixin

from .choices import CriterionField, OutcomeResult
from .criteria import (
    IMPORTANCE,
    criteria_clean,
    criterion_field_choices,
    importance_words,
    value_choices,
    value_label,
)
from .models import Opportunity, Request

# Catalog filters (ReferenceProfileFilter names) that become must-haves when the request is
# prefilled from a catalog search; the others become nice-to-haves in this order.
PREFILL_MUST = ("industry", "product", "use_case", "deployment")
PREFILL_NICE = ("region", "country", "size_band", "seniority", "language")


DEFAULT_IMPORTANCE = "3"


def importance_options(weight) -> list[tuple[str, str, bool]]:
    """The importance choices for one nice-to-have, (weight, words, chosen); a weight the form's
    steps do not have (set through the API) stays as it is, in words."""
    weight = str(weight if weight not in (None, "") else DEFAULT_IMPORTANCE).strip()
    options = [(value, label, value == weight) for value, label in IMPORTANCE]
    if not any(chosen for _value, _label, chosen in options):
        options.insert(0, (weight, importance_words(weight), True))
    return options


class RequestForm(BoundedFormMixin, forms.ModelForm):
    single_line_fields = (
        "prospect_name",
        "prospect_contact_title",
        "opportunity_crm_id",
        "opportunity_stage",
    )

    activity_type = forms.ModelChoiceField(
        queryset=ActivityType.objects.all(), to_field_name="code", label=_("Activity type")
    )
    prospect_industry = forms.ModelChoiceField(
        queryset=Industry.objects.all(), to_field_name="code", required=False, label=_("Prospect industry")
    )
    prospect_region = forms.ModelChoiceField(
        queryset=Region.objects.all(), to_field_name="code", required=False, label=_("Prospect region")
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.all(), to_field_name="name", required=False, label=_("Products of interest")
    )
    needed_by = forms.DateTimeField(
        label=_("Needed by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    # The CRM opportunity, picked with the search box (the template renders the hidden input
    # inside the linked opportunity's card, so picking or unlinking swaps it with the card).
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That opportunity does not exist (any more): search again.")},
    )

    class Meta:
        model = Request
        fields = [
            "activity_type",
            "prospect_name",
            "prospect_industry",
            "prospect_region",
            "prospect_country",
            "prospect_size_band",
            "prospect_contact_title",
            "prospect_seniority",
            "products",
            "references_needed",
            "needed_by",
            "opportunity_crm_id",
            "opportunity_amount",
            "opportunity_stage",
            "opportunity",
            "notes",
        ]
        # The labels people read (the model's field names, said in their language).
        labels = {
            "prospect_name": _("Prospect company"),
            "prospect_size_band": _("Prospect size band"),
            "prospect_contact_title": _("Prospect contact's title"),
            "prospect_seniority": _("Prospect contact's seniority"),
            "references_needed": _("References needed"),
            "opportunity_crm_id": _("CRM opportunity id"),
            "opportunity_amount": _("Opportunity amount"),
            "opportunity_stage": _("Opportunity stage"),
            "notes": _("Notes"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = Opportunity.objects.visible_to(user).select_related(
            "industry", "region"
        )
        # The prospect's country by its name; the request keeps its two letters.
        self.fields["prospect_country"].widget = forms.Select(choices=[("", "—"), *country_choices()])
        self.fields["prospect_country"].label = _("Country")
        self.criteria_rows = {"must": [], "nice": []}
        if self.instance.pk and not self.is_bound:
            self.criteria_rows = {"must": self.instance.must, "nice": self.instance.nice}
        if self.is_bound:
            self.criteria_rows = self._rows_from(self.data)

    @staticmethod
    def _rows_from(data) -> dict[str, list[dict]]:
        rows: dict[str, list[dict]] = {"must": [], "nice": []}
        for kind in ("must", "nice"):
            fields = data.getlist(f"{kind}_field")
            values = data.getlist(f"{kind}_value")
            weights = data.getlist("nice_weight") if kind == "nice" else []
            for i, (field, value) in enumerate(zip(fields, values, strict=False)):
                if not field and not (value or "").strip():
                    continue  # an empty row left in the editor
                row = {"field": field, "value": value}
                if kind == "nice":
                    row["weight"] = weights[i] if i < len(weights) else ""
                rows[kind].append(row)
        return rows

    @cached_property
    def display_rows(self) -> dict[str, list[dict]]:
        """The criteria as the editor shows them: values by their label (as typed when the form
        comes back with an error), each nice-to-have's importance in words."""
        cache: dict = {}
        rows: dict[str, list[dict]] = {"must": [], "nice": []}
        for kind in ("must", "nice"):
            for row in self.criteria_rows.get(kind) or []:
                value = str(row.get("value") or "")
                if not self.is_bound and row.get("field") in dict(self.criterion_fields):
                    value = value_label(row["field"], value, cache)
                shown = {"field": row.get("field") or "", "value": value}
                if kind == "nice":
                    shown["importance"] = importance_options(row.get("weight"))
                rows[kind].append(shown)
        return rows

    @cached_property
    def criterion_fields(self) -> list[tuple[str, str]]:
        """What a criterion can be about: the built-in fields and the program's own list and
        yes/no fields (``criteria.criterion_field_choices``)."""
        return criterion_field_choices()

    @cached_property
    def criterion_values(self) -> list[tuple[str, list[str]]]:
        """(field, labels) for each field with a closed list: the editor's suggestions."""
        return [
            (field, [label for _value, label in choices])
            for field, _label in self.criterion_fields
            if (choices := value_choices(field))
        ]

    @staticmethod
    def new_importance() -> list[tuple[str, str, bool]]:
        return importance_options(None)

    @cached_property
    def linked_opportunity(self) -> Opportunity | None:
        """The opportunity the form links to: as sent back (bound), else as stored or prefilled."""
        if self.is_bound:
            if not self.is_valid() and "opportunity" in self.errors:
                return None
            value = self.data.get("opportunity") or ""
            if not value.isdigit() or len(value) > 18:
                return None
            return self.fields["opportunity"].queryset.filter(pk=value).first()
        value = self.initial.get("opportunity") or self.instance.opportunity_id
        if isinstance(value, Opportunity):
            return value
        return self.fields["opportunity"].queryset.filter(pk=value).first() if value else None

    def clean_prospect_country(self):
        return (self.cleaned_data.get("prospect_country") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["criteria"] = criteria_clean(self.criteria_rows, people=True)
        except ValidationError as exc:
            self.add_error(None, ValidationError(list(exc.messages)))
        return cleaned

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        data["criteria"] = self.cleaned_data["criteria"]
        data["products"] = list(self.cleaned_data.get("products") or [])
        return data


def initial_from_catalog(query) -> tuple[dict, dict]:
    """Prefill the intake form from the catalog's filter query string (ReferenceProfileFilter
    parameter names). Returns ``(initial, criteria_rows)``; unknown values are simply dropped
    (the catalog already validated them; a hand-edited URL must not break the form)."""
    initial: dict = {}
    rows: dict[str, list[dict]] = {"must": [], "nice": []}

    def values(name):
        return [v.strip() for v in query.getlist(name) if v and v.strip()]

    activity = values("activity_type")
    if activity and ActivityType.objects.filter(code=activity[0]).exists():
        initial["activity_type"] = activity[0]
    if len(values("industry")) == 1 and Industry.objects.filter(code=values("industry")[0]).exists():
        initial["prospect_industry"] = values("industry")[0]
    if len(values("region")) == 1 and Region.objects.filter(code=values("region")[0]).exists():
        initial["prospect_region"] = values("region")[0]
    if values("country"):
        initial["prospect_country"] = values("country")[0].upper()[:2]
    if len(values("size_band")) == 1 and values("size_band")[0] in SizeBand.values:
        initial["prospect_size_band"] = values("size_band")[0]
    if len(values("seniority")) == 1:
        initial["prospect_seniority"] = values("seniority")[0]
    products = list(Product.objects.filter(name__in=values("product")).values_list("name", flat=True))
    if products:
        initial["products"] = products
    if values("search"):
        initial["notes"] = f"From a catalog search for: {values('search')[0]}"
    for name in PREFILL_MUST + PREFILL_NICE:
        vals = values(name)
        # One value is a deal breaker the rep filtered on; several values are alternatives,
        # which must-haves (all required) cannot express, so they become nice-to-haves.
        kind = "must" if name in PREFILL_MUST and len(vals) == 1 else "nice"
        for v in vals:
            rows[kind].append({"field": name, "value": v, **({"weight": 3} if kind == "nice" else {})})
    try:
        rows = criteria_clean(rows)
    except ValidationError:
        cleaned: dict[str, list[dict]] = {"must": [], "nice": []}
        for kind in ("must", "nice"):
            for row in rows[kind]:
                try:
                    cleaned[kind] += criteria_clean({kind: [row]})[kind]
                except ValidationError:
                    continue
        rows = cleaned
    initial.setdefault(
        "needed_by", (timezone.localtime() + timezone.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    )
    return initial, rows


def initial_from_opportunity(opportunity: Opportunity) -> dict:
    """Prefill the intake form from a CRM opportunity (the deep link): the link itself and the
    prospect's firmographics as the CRM knows them (the account's name is the prospect's)."""
    initial: dict = {"opportunity": opportunity, "opportunity_crm_id": opportunity.crm_id}
    if opportunity.account_name:
        initial["prospect_name"] = opportunity.account_name
    if opportunity.industry_id:
        initial["prospect_industry"] = opportunity.industry_id
    if opportunity.region_id:
        initial["prospect_region"] = opportunity.region_id
    if opportunity.country:
        initial["prospect_country"] = opportunity.country
    size_band = opportunity.size_band or size_band_for(opportunity.employees)
    if size_band:
        initial["prospect_size_band"] = size_band
    return initial


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class OutcomeForm(forms.Form):
    """The deal's outcome. Nothing is preselected (a won deal is reported revenue): the person
    chooses won or lost, and types the amount."""

    result = forms.ChoiceField(
        choices=[("", _("— choose won or lost —")), *OutcomeResult.choices],
        label=_("Result"),
        error_messages={"required": _("Choose won or lost.")},
    )
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        label=_("Deal amount"),
        help_text=_("Leave empty when you don't know it."),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=[(i, f"{i} / 5") for i in range(5, 0, -1)], coerce=int
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )


CRITERION_FIELDS = CriterionField.choices
