"""The dashboard's period and segment picker, and the strategic target form."""

from __future__ import annotations

from django import forms

from references.models import ActivityType, Industry, Product, Region
from refprogram.validators import BoundedFormMixin

from .models import TargetDimension
from .periods import PRESETS


class PeriodForm(BoundedFormMixin, forms.Form):
    """Preset period or a custom from/to, and an optional segment. Only used to render the
    picker; ``periods.period_from_params`` does the reading and validating."""

    preset = forms.ChoiceField(choices=list(PRESETS.items()), required=False)
    from_ = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    industry = forms.ChoiceField(required=False)
    region = forms.ChoiceField(required=False)
    product_line = forms.ChoiceField(required=False, label="Product line")
    activity_type = forms.ChoiceField(required=False, label="Activity type")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")
        any_ = [("", "All")]
        self.fields["industry"].choices = any_ + list(Industry.objects.values_list("code", "name"))
        self.fields["region"].choices = any_ + list(Region.objects.values_list("code", "name"))
        lines = sorted(set(Product.objects.values_list("product_line", flat=True)))
        self.fields["product_line"].choices = any_ + [(line, line) for line in lines]
        self.fields["activity_type"].choices = any_ + list(ActivityType.objects.values_list("code", "name"))


class TargetForm(BoundedFormMixin, forms.Form):
    """Set the share of the inventory one segment should hold; an existing segment is changed."""

    single_line_fields = ("value",)

    dimension = forms.ChoiceField(choices=TargetDimension.choices)
    value = forms.CharField(
        max_length=100,
        help_text="A product line's name, an industry code (e.g. finance) or a region code (e.g. emea).",
    )
    target_share = forms.DecimalField(
        label="Target share (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2
    )


__all__ = ["PeriodForm", "TargetForm", "TargetDimension"]
