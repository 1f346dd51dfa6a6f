"""API fields for the managed lists and for what the caller may see.

``ManagedListField`` is how every managed value (industry, region, product, use case, program,
language, activity type) comes in and goes out: by its code or name. An unknown value is a 400
that names the valid ones; nothing is ever created implicitly.
"""

from __future__ import annotations

from django.db.models import Model
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.relations import ManyRelatedField, PKOnlyObject

VALID_VALUES_SHOWN = 60  # long lists are cut; the managed-list endpoint lists them all


def _valid_values(queryset, slug_field: str, listed_at: str | None) -> str:
    values = [str(v) for v in queryset.order_by(slug_field).values_list(slug_field, flat=True)]
    text = ", ".join(values[:VALID_VALUES_SHOWN]) or "(the list is empty)"
    if len(values) > VALID_VALUES_SHOWN:
        more = f" … and {len(values) - VALID_VALUES_SHOWN} more"
        text += more + (f" (see /api/v1/{listed_at})" if listed_at else "")
    return text


class ManagedListField(serializers.SlugRelatedField):
    """A value from a managed list, written and read as its code or name.

    ``label_name`` is the list's name in messages ("industry"); ``listed_at`` the API path that
    lists every value. With ``many=True`` all values are resolved in one query and every unknown
    one is named in the error.
    """

    default_error_messages = {
        "unknown": 'Unknown {label} "{value}". Valid values: {valid}.',
        "unknown_many": "Unknown {label}: {values}. Valid values: {valid}.",
        "invalid": "Give the {label} as a text value.",
    }

    def __init__(self, *, label_name: str, listed_at: str | None = None, **kwargs):
        self.label_name = label_name
        self.listed_at = listed_at
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        kwargs.pop("allow_empty", None)
        child = cls(*args, **kwargs)
        list_kwargs = {"child_relation": child}
        for key in ("read_only", "required", "help_text", "source", "default", "allow_null", "label"):
            if key in kwargs:
                list_kwargs[key] = kwargs[key]
        return ManagedListManyField(**list_kwargs)

    def _slug_is_pk(self) -> bool:
        queryset = self.get_queryset() if self.queryset is not None else None
        model: type[Model] | None = queryset.model if queryset is not None else None
        return model is not None and model._meta.pk.name == self.slug_field

    def use_pk_only_optimization(self) -> bool:
        # Industry, region, language and activity type are keyed by their code: no join to read.
        return self._slug_is_pk()

    def to_representation(self, obj):
        if isinstance(obj, PKOnlyObject):
            return obj.pk
        return super().to_representation(obj)

    def fail_unknown(self, values: list[str]):
        valid = _valid_values(self.get_queryset(), self.slug_field, self.listed_at)
        if len(values) == 1:
            self.fail("unknown", label=self.label_name, value=values[0], valid=valid)
        self.fail("unknown_many", label=self.label_name, values=", ".join(values), valid=valid)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip() or "\x00" in data:
            self.fail("invalid", label=self.label_name)
        found = self.get_queryset().filter(**{self.slug_field: data.strip()}).first()
        if found is None:
            self.fail_unknown([data])
        return found


class ManagedListManyField(ManyRelatedField):
    """A list of managed values, resolved in one query; every unknown value is named."""

    default_error_messages = {
        **ManyRelatedField.default_error_messages,
        "not_a_list": 'Expected a list of values but got type "{input_type}".',
    }

    def to_internal_value(self, data):
        if isinstance(data, str) or not hasattr(data, "__iter__") or isinstance(data, dict):
            self.fail("not_a_list", input_type=type(data).__name__)
        child: ManagedListField = self.child_relation
        values = list(data)
        if not self.allow_empty and not values:
            self.fail("empty")
        if any(not isinstance(v, str) or not v.strip() or "\x00" in v for v in values):
            child.fail("invalid", label=child.label_name)
        wanted = list(dict.fromkeys(v.strip() for v in values))
        found = {
            str(getattr(obj, child.slug_field)): obj
            for obj in child.get_queryset().filter(**{f"{child.slug_field}__in": wanted})
        }
        unknown = [v for v in wanted if v not in found]
        if unknown:
            child.fail_unknown(unknown)
        return [found[v] for v in wanted]


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A customer or contact by id, limited to what the caller may see (``visible_to``):
    something you cannot see does not exist for you."""

    def __init__(self, *, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.model.objects.visible_to(user)

    def run_validation(self, data=empty):
        if data is not empty and data is not None and (isinstance(data, bool) or not isinstance(data, int)):
            if not (isinstance(data, str) and data.isdigit()):
                self.fail("incorrect_type", data_type=type(data).__name__)
        return super().run_validation(data)
