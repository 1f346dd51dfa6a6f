"""The one FilterSet of public-use approvals, shared by the board, the content library and
`GET /api/v1/approvals/` and `library/`."""

from __future__ import annotations

import django_filters as filters
from django import forms as django_forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from references.models import Customer, Industry, Product

from .choices import EXPIRY_WARNING_DAYS, ApprovalStatus, ApprovalUse, Channel
from .models import Approval, channel_condition

# Filters about the customer (the board filters its rows with them) and about the approvals
# themselves (the board keeps the customers that have a matching approval).
CUSTOMER_FILTERS = ("customer_name", "industry", "product", "customer")
APPROVAL_FILTERS = ("use", "status", "expiring", "channel", "valid", "search")


class ApprovalFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label=_("Search (customer, quote, title)"))
    customer_name = filters.CharFilter(method="filter_customer_name", label=_("Customer name"))
    customer = filters.NumberFilter(field_name="customer_id")
    industry = filters.ModelMultipleChoiceFilter(
        field_name="customer__industry",
        queryset=Industry.objects.all(),
        to_field_name="code",
        label=_("Industry"),
    )
    product = filters.ModelMultipleChoiceFilter(
        queryset=Product.objects.all(), to_field_name="name", method="filter_product", label=_("Product")
    )
    use = filters.MultipleChoiceFilter(choices=ApprovalUse.choices)
    status = filters.MultipleChoiceFilter(choices=ApprovalStatus.choices)
    channel = filters.ChoiceFilter(choices=Channel.choices, method="filter_channel", label=_("Channel"))
    expiring = filters.BooleanFilter(
        method="filter_expiring",
        label=format_lazy(_("Expiring within {days} days"), days=EXPIRY_WARNING_DAYS),
    )
    valid = filters.BooleanFilter(method="filter_valid", label=_("Valid today"))

    class Meta:
        model = Approval
        fields: list[str] = []

    # Shown as ticks (several allowed, no Ctrl-click) and as Any / Yes / No radios (no "Unknown").
    TICKS = ("industry", "product", "use", "status")
    RADIOS = {
        "expiring": [("", "Any"), ("true", "Yes"), ("false", "No")],
        "valid": [("", "Any"), ("true", "Yes"), ("false", "No")],
    }

    @property
    def form(self):
        """The filter form with words a person reads: ticks for the lists, radios for yes/no and
        the channel ("Any" first, never "---------")."""
        if not hasattr(self, "_form"):
            form = super().form
            for name in self.TICKS:
                form.fields[name].widget = django_forms.CheckboxSelectMultiple(
                    choices=form.fields[name].choices
                )
            for name, choices in self.RADIOS.items():
                form.fields[name].widget = django_forms.RadioSelect(choices=choices)
            channel = form.fields["channel"]
            channel.widget = django_forms.RadioSelect(choices=[("", "Any"), *Channel.choices])
            return form
        return self._form

    def filter_search(self, queryset, name, value: str):
        condition = Q()
        for word in (value or "").split()[:10]:
            condition &= (
                Q(customer__name__icontains=word) | Q(quote_text__icontains=word) | Q(title__icontains=word)
            )
        return queryset.filter(condition)

    def filter_customer_name(self, queryset, name, value: str):
        value = (value or "").strip()[:200]
        return queryset.filter(customer__name__icontains=value) if value else queryset

    def filter_product(self, queryset, name, value: list[Product]):
        if not value:
            return queryset
        through = Customer.products.through
        return queryset.filter(
            Exists(through.objects.filter(customer_id=OuterRef("customer_id"), product__in=value))
        )

    def filter_channel(self, queryset, name, value: str):
        return queryset.filter(channel_condition(value)) if value else queryset

    def filter_expiring(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        expiring = Approval.objects.expiring(EXPIRY_WARNING_DAYS, timezone.localdate())
        return (
            queryset.filter(pk__in=expiring.values("pk"))
            if value
            else queryset.exclude(pk__in=expiring.values("pk"))
        )

    def filter_valid(self, queryset, name, value: bool | None):
        if value is None:
            return queryset
        valid = Approval.objects.valid(timezone.localdate())
        return (
            queryset.filter(pk__in=valid.values("pk"))
            if value
            else queryset.exclude(pk__in=valid.values("pk"))
        )

    # --- the board's rows are customers ----------------------------------------------------

    def approval_filters_used(self) -> bool:
        data = self.form.cleaned_data if self.is_valid() else {}
        return any(data.get(name) not in (None, "", [], ()) for name in APPROVAL_FILTERS)

    def customers(self, customers: QuerySet) -> QuerySet:
        """The board's customers: the customer filters applied to ``customers``; when an
        approval filter is used (use, status, expiring…), only customers with a matching one."""
        if not self.is_valid():
            return customers.none()
        data = self.form.cleaned_data
        if data.get("customer_name"):
            customers = customers.filter(name__icontains=data["customer_name"].strip()[:200])
        if data.get("customer"):
            customers = customers.filter(pk=data["customer"])
        if data.get("industry"):
            customers = customers.filter(industry__in=data["industry"])
        if data.get("product"):
            through = Customer.products.through
            customers = customers.filter(
                Exists(through.objects.filter(customer_id=OuterRef("pk"), product__in=data["product"]))
            )
        if self.approval_filters_used():
            customers = customers.filter(Exists(self.qs.filter(customer_id=OuterRef("pk"))))
        return customers
