"""HTML forms of the reference inventory: parse and validate input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from refprogram.validators import BoundedFormMixin

from .choices import NominationSource, ProfileStatus, Seniority
from .models import CUSTOM_LANGUAGES, Contact, Customer, CustomField, Nomination, ReferenceProfile
from .services.custom_fields import (
    CUSTOM_TEXT_MAX,
    CustomValuesInvalid,
    custom_definitions,
    custom_values_clean,
)


class DateInput(forms.DateInput):
    input_type = "date"


def _max_length(model, field: str) -> int:
    """A form field takes at most what its column holds (the API and the import use the same limit)."""
    return model._meta.get_field(field).max_length


FILTER_LABELS = {
    "search": _("Search"),
    "status": _("Status"),
    "industry": _("Industry"),
    "region": _("Region"),
    "country": _("Country (code)"),
    "size_band": _("Size band"),
    "product": _("Product"),
    "product_line": _("Product line"),
    "use_case": _("Use case"),
    "deployment": _("Deployment"),
    "activity_type": _("Will do"),
    "seniority": _("Seniority"),
    "language": _("Language"),
    "available": _("Available now"),
    "stale": _("Stale (re-confirm first)"),
    "marquee": _("Marquee customer"),
    "source": _("Source"),
    "aging": _("Waiting > 7 days"),
}


def style_filter_form(form: forms.Form, *, checkboxes=(), hide=(), labels=None, order=None) -> forms.Form:
    """Make a FilterSet's form fit the sidebar: short lists as checkboxes, yes/no as "Any/Yes/No",
    plain labels, languages by name."""
    for name in hide:
        form.fields.pop(name, None)
    if order:
        form.order_fields(order)
    for name, field in form.fields.items():
        if name in checkboxes:
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            field.widget.attrs["class"] = "checks"
        elif isinstance(field, forms.NullBooleanField):
            field.widget = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])
        elif isinstance(field, forms.MultipleChoiceField):
            field.widget.attrs["size"] = min(6, max(3, len(field.choices)))
            field.help_text = _("Ctrl-click (⌘-click) to pick several.")
        if name == "search":
            field.widget = forms.TextInput(
                attrs={"type": "search", "placeholder": _("Words in story, title…")}
            )
    for name, label in {**FILTER_LABELS, **(labels or {})}.items():
        if name in form.fields:
            form.fields[name].label = label
    if "language" in form.fields:
        form.fields["language"].label_from_instance = lambda language: language.name
    return form


def custom_form_field(field: CustomField, initial=None) -> forms.Field:
    """The form field of one of the program's own fields, by its kind, labelled in the reader's
    language; ``initial`` is the stored value."""
    common = {"label": field.label(), "required": field.required, "initial": initial}
    kind = CustomField.Kind
    if field.kind == kind.TEXT:
        return forms.CharField(max_length=CUSTOM_TEXT_MAX, **common)
    if field.kind == kind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=6, **common)
    if field.kind == kind.DATE:
        return forms.DateField(widget=DateInput(), **common)
    if field.kind == kind.YES_NO:
        common["initial"] = {True: "true", False: "false"}.get(initial, "")
        return forms.ChoiceField(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))], **common)
    choices = [(c["value"], field.choice_label(c["value"])) for c in field.choices]
    if field.kind == kind.ONE_OF:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    return forms.MultipleChoiceField(
        choices=choices, widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}), **common
    )


class CustomFieldsFormMixin:
    """Adds the program's own fields of ``custom_on`` objects (active ones, in their order) to a
    form as ``custom.<slug>``; ``clean`` checks them with ``custom_values_clean`` (the one check of
    the API and the import too) and hands the services ``custom``."""

    custom_on = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        stored = (getattr(instance, "custom", None) or {}) if instance is not None else {}
        self.custom_fields = custom_definitions(self.custom_on)
        for field in self.custom_fields:
            self.fields[field.key] = custom_form_field(field, stored.get(field.slug))

    def clean(self):
        data = super().clean()
        values = {}
        for field in self.custom_fields:
            if field.key in self.errors:
                return data
            value = data.pop(field.key, None)
            if field.kind == CustomField.Kind.YES_NO:
                value = {"true": True, "false": False}.get(value)
            elif field.kind == CustomField.Kind.NUMBER and value is not None:
                value = str(value)
            values[field.slug] = value
        instance = getattr(self, "instance", None)
        current = (instance.custom if instance is not None and instance.pk else {}) or {}
        try:
            custom_values_clean(self.custom_on, values, current=current, definitions=self.custom_fields)
            data["custom"] = values  # the service writes them over what is stored (empty clears)
        except CustomValuesInvalid as exc:
            for slug, messages in exc.by_slug.items():
                target = f"custom.{slug}"
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
        return data


class ProfileForm(CustomFieldsFormMixin, BoundedFormMixin, forms.ModelForm):
    """The story and attributes of a reference profile (status moves through the lifecycle buttons)."""

    single_line_fields = ("headline", "competitor")
    custom_on = "profile"

    class Meta:
        model = ReferenceProfile
        fields = [
            "headline",
            "story",
            "activity_types",
            "products",
            "use_cases",
            "deployment",
            "competitor",
            "outcomes",
            "private_only",
            "last_validated",
        ]
        widgets = {
            "activity_types": forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
            "last_validated": DateInput(),
            "story": forms.Textarea(attrs={"rows": 5}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "headline": _("Headline"),
            "story": _("Story"),
            "activity_types": _("Activity types"),
            "products": _("Products"),
            "use_cases": _("Use cases"),
            "deployment": _("Deployment"),
            "competitor": _("Competitor replaced"),
            "outcomes": _("Measurable outcomes"),
            "private_only": _("Private only"),
            "last_validated": _("Last validated"),
        }
        help_texts = {
            "headline": _("The story in one line."),
            "private_only": _("Never offered for public (marketing) use."),
            "activity_types": _("What this reference has agreed to do."),
            "last_validated": _("The day the account owner last confirmed the customer is still happy."),
        }


class NewProfileForm(ProfileForm):
    """A new reference profile for a contact of one customer: an existing contact or a new one."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label=_("Contact"),
        empty_label=_("— a new contact (below) —"),
    )
    new_contact_name = forms.CharField(
        label=_("New contact's name"), max_length=_max_length(Contact, "name"), required=False
    )
    new_contact_title = forms.CharField(
        label=_("Title"), max_length=_max_length(Contact, "title"), required=False
    )
    new_contact_seniority = forms.ChoiceField(
        label=_("Seniority"), choices=[("", "—")] + Seniority.choices, required=False
    )
    new_contact_email = forms.EmailField(label=_("Email"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(ProfileStatus.VETTING, _("Vetting")), (ProfileStatus.ACTIVE, _("Active"))],
        initial=ProfileStatus.VETTING,
        help_text=_("Start in vetting unless the account owner has already agreed."),
    )

    single_line_fields = (*ProfileForm.single_line_fields, "new_contact_name", "new_contact_title")

    class Meta(ProfileForm.Meta):
        fields = ProfileForm.Meta.fields

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["contact"].queryset = customer.contacts.filter(profiles__isnull=True)
        self.order_fields(["contact", "new_contact_name", "new_contact_title", "new_contact_seniority"])

    def clean(self):
        data = super().clean()
        if not data.get("contact"):
            if not data.get("new_contact_name") and "new_contact_name" not in self.errors:
                self.add_error(
                    "new_contact_name", _("Choose an existing contact or give the new contact's name.")
                )
            if not data.get("new_contact_seniority"):
                self.add_error("new_contact_seniority", _("Give the new contact's seniority."))
        return data

    def _post_clean(self):
        # The service validates the profile with its customer and contact; the bare instance would
        # fail model validation here for the missing relations.
        pass


class CustomerForm(CustomFieldsFormMixin, BoundedFormMixin, forms.ModelForm):
    single_line_fields = ("name", "crm_id", "revenue_band", "strategic_segment")
    custom_on = "customer"

    class Meta:
        model = Customer
        fields = [
            "name",
            "crm_id",
            "industry",
            "region",
            "country",
            "size_band",
            "employees",
            "revenue_band",
            "products",
            "programs",
            "account_owner",
            "strategic_segment",
            "is_marquee",
            "health_score",
            "health_updated",
            "renewal_date",
        ]
        widgets = {
            "health_updated": DateInput(),
            "renewal_date": DateInput(),
            "programs": forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
            "country": forms.TextInput(attrs={"maxlength": 2, "placeholder": "DE"}),
        }
        labels = {
            "name": _("Name"),
            "crm_id": _("CRM id"),
            "industry": _("Industry"),
            "region": _("Region"),
            "country": _("Country"),
            "size_band": _("Size band"),
            "employees": _("Employees"),
            "revenue_band": _("Revenue band"),
            "products": _("Products"),
            "programs": _("Programs"),
            "account_owner": _("Account owner"),
            "strategic_segment": _("Strategic segment"),
            "is_marquee": _("Marquee"),
            "health_score": _("Health score"),
            "health_updated": _("Health measured on"),
            "renewal_date": _("Next renewal"),
        }
        help_texts = {
            "health_score": _("Satisfaction or NPS score, -100 to 100."),
            "renewal_date": _(
                "Nobody asks the customer in the weeks before it (the overuse policy says how "
                "many), until the renewal is marked done on the customer page."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_owner"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("username")
        )

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_crm_id(self):
        return self.cleaned_data.get("crm_id") or None


class ContactForm(CustomFieldsFormMixin, BoundedFormMixin, forms.ModelForm):
    single_line_fields = ("name", "title", "phone", "time_zone")
    custom_on = "contact"

    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "seniority",
            "email",
            "phone",
            "languages",
            "preferred_language",
            "time_zone",
        ]
        labels = {
            "name": _("Name"),
            "title": _("Title"),
            "seniority": _("Seniority"),
            "email": _("Email"),
            "phone": _("Phone"),
            "languages": _("Languages"),
            "time_zone": _("Time zone"),
        }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=ProfileStatus.choices)
    note = forms.CharField(required=False, max_length=2000)


class NominationForm(BoundedFormMixin, forms.Form):
    """Anyone proposes a customer as a reference: who, where the idea came from, and why."""

    single_line_fields = ("contact_name", "contact_title")

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), widget=forms.HiddenInput)
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label=_("Existing contact"),
        empty_label=_("— a new contact (below) —"),
    )
    contact_name = forms.CharField(
        label=_("New contact's name"), max_length=_max_length(Nomination, "contact_name"), required=False
    )
    contact_title = forms.CharField(
        label=_("Title"), max_length=_max_length(Nomination, "contact_title"), required=False
    )
    contact_email = forms.EmailField(label=_("Email"), required=False)
    contact_seniority = forms.ChoiceField(
        label=_("Seniority"), choices=[("", "—")] + Seniority.choices, required=False
    )
    source = forms.ChoiceField(choices=NominationSource.choices, label=_("Where the idea comes from"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Why would they be a good reference?")
    )
    products = forms.ModelMultipleChoiceField(queryset=None, required=False)
    account_owner = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, customers, contacts, owners, **kwargs):
        from .models import Product

        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["contact"].queryset = contacts
        if not contacts.exists():
            del self.fields["contact"]
        self.fields["products"].queryset = Product.objects.all()
        self.fields["account_owner"].queryset = owners

    def clean(self):
        data = super().clean()
        if not data.get("contact") and not data.get("contact_name") and "contact_name" not in self.errors:
            self.add_error("contact_name", _("Choose an existing contact or give the new contact's name."))
        return data


class NominationVetForm(forms.ModelForm):
    class Meta:
        model = Nomination
        fields = ["strategic_fit", "health_ok", "owner_consent", "vetting_notes"]
        widgets = {
            "strategic_fit": forms.Select(
                choices=[("", _("Not checked yet")), ("True", _("Yes")), ("False", _("No"))]
            ),
            "health_ok": forms.Select(
                choices=[("", _("Not checked yet")), ("True", _("Yes")), ("False", _("No"))]
            ),
            "owner_consent": forms.Select(
                choices=[("", _("Not asked yet")), ("True", _("Yes")), ("False", _("No"))]
            ),
            "vetting_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "strategic_fit": _("Fits the program's strategy"),
            "health_ok": _("Customer health checked"),
            "owner_consent": _("Account owner consents"),
            "vetting_notes": _("Vetting notes"),
        }


class NominationAcceptForm(forms.Form):
    """Accepting a vetted nomination: what the new reference has agreed to do (at least one,
    ``nomination_accept`` says so) and an optional note."""

    activity_types = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("What the reference has agreed to do"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
    )
    note = forms.CharField(required=False, max_length=2000, label=_("Note (optional)"))

    def __init__(self, *args, **kwargs):
        from .models import ActivityType

        super().__init__(*args, **kwargs)
        self.fields["activity_types"].queryset = ActivityType.objects.all()


class NominationRejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label=_("Why is it rejected?")
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, comma separated, with the header row."))


def choices_from_text(text: str) -> list[dict]:
    """The choices of a list field from the page's text box: one choice a line, ``value | English |
    Deutsch | Français | Español`` (only the value is needed; its English label defaults to it)."""
    choices = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        labels = {lang: label for lang, label in zip(CUSTOM_LANGUAGES, parts[1:5], strict=False) if label}
        choices.append({"value": parts[0], "labels": labels or {"en": parts[0]}})
    return choices


def choices_to_text(choices: list[dict]) -> str:
    lines = []
    for choice in choices or []:
        labels = choice.get("labels") or {}
        parts = [choice["value"], *(labels.get(lang, "") for lang in CUSTOM_LANGUAGES)]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class CustomFieldForm(BoundedFormMixin, forms.ModelForm):
    """A field the program defines (``services.custom_field_create``/``custom_field_update`` apply
    the rules; the machine name, what it is on and its kind are fixed once it exists)."""

    single_line_fields = ("slug", "label_en", "label_de", "label_fr", "label_es")

    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "gold | Gold | Gold | Or | Oro"}),
        help_text=_(
            "For a list: one choice a line, value | English | German | French | Spanish. The value "
            "(lower-case letters, digits, _ or -) is what is stored, filtered on and imported."
        ),
    )

    class Meta:
        model = CustomField
        fields = [
            "on",
            "slug",
            "kind",
            "label_en",
            "label_de",
            "label_fr",
            "label_es",
            "required",
            "position",
            "active",
        ]
        labels = {
            "on": _("On"),
            "slug": _("Machine name"),
            "kind": _("Kind"),
            "label_en": _("Label (English)"),
            "label_de": _("Label (German)"),
            "label_fr": _("Label (French)"),
            "label_es": _("Label (Spanish)"),
            "required": _("Required"),
            "position": _("Position"),
            "active": _("Active"),
        }
        help_texts = {
            "slug": _(
                "The stable name in the API, the spreadsheet (custom.<name>) and criteria, e.g. partner_tier."
            ),
            "label_de": _("Empty: the English label."),
            "active": _("An inactive field keeps its values but is no longer shown, filtered or matched on."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("on", "slug", "kind"):
                self.fields[name].disabled = True
            self.fields["choices_text"].initial = choices_to_text(self.instance.choices)

    def _post_clean(self):
        # The service validates the definition (choices and uniqueness included).
        pass

    def clean(self):
        data = super().clean()
        data["choices"] = choices_from_text(data.pop("choices_text", ""))
        return data
