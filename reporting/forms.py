"""The dashboard's period and segment picker, and the strategic target form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from references.models import ActivityType, Industry, Product, Region
from refprogram.validators import BoundedFormMixin

from .models import TargetDimension
from .periods import PRESETS


class PeriodForm(BoundedFormMixin, forms.Form):
    """Preset period or a custom from/to, and an optional segment. Only used to render the
    picker; ``periods.period_from_params`` does the reading and validating."""

    preset = forms.ChoiceField(choices=list(PRESETS.items()), required=False, label=_("Period"))
    from_ = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    industry = forms.ChoiceField(required=False, label=_("Industry"))
    region = forms.ChoiceField(required=False, label=_("Region"))
    product_line = forms.ChoiceField(required=False, label=_("Product line"))
    activity_type = forms.ChoiceField(required=False, label=_("Activity type"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = self.fields.pop("from_")
        any_ = [("", _("All"))]
        self.fields["industry"].choices = any_ + list(Industry.objects.values_list("code", "name"))
        self.fields["region"].choices = any_ + list(Region.objects.values_list("code", "name"))
        lines = sorted(set(Product.objects.values_list("product_line", flat=True)))
        self.fields["product_line"].choices = any_ + [(line, line) for line in lines]
        self.fields["activity_type"].choices = any_ + list(ActivityType.objects.values_list("code", "name"))


class TargetForm(BoundedFormMixin, forms.Form):
    """Set the share of the inventory one segment should hold; an existing segment is changed."""

    single_line_fields = ("value",)

    dimension = forms.ChoiceField(choices=TargetDimension.choices, label=_("Dimension"))
    value = forms.CharField(
        max_length=100,
        label=_("Value"),
        help_text=_("A product line's name, an industry code (e.g. finance) or a region code (e.g. emea)."),
    )
    target_share = forms.DecimalField(
        label=_("Target share (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )


__all__ = ["PeriodForm", "TargetForm", "TargetDimension"]
