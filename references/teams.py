"""The vocabulary of a team's scope (``accounts.Team``): region and industry codes and products
from the inventory's managed lists, as the catalog's facet keys. Handed to ``accounts.teams``
when Django starts (``ReferencesConfig.ready``): accounts, below this app, cannot read the lists."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .facets import facet_key
from .models import Industry, Product, Region


def _unknown(field: str, given: list[str], known: set[str], valid) -> dict[str, str]:
    missing = [v for v in given if v not in known]
    if not missing:
        return {}
    return {field: f"Unknown {', '.join(missing)}; valid: {', '.join(valid)}."}


class TeamScopeVocabulary:
    """Checks a team's scope against the managed lists and spells it as facet keys."""

    def keys(self, *, regions: list[str], industries: list[str], products: list[str]) -> list[str]:
        regions = sorted({str(v).strip() for v in regions if str(v).strip()})
        industries = sorted({str(v).strip() for v in industries if str(v).strip()})
        products = sorted({str(v).strip() for v in products if str(v).strip()})
        region_codes = list(Region.objects.values_list("code", flat=True))
        industry_codes = list(Industry.objects.values_list("code", flat=True))
        product_ids = dict(Product.objects.filter(name__in=products).values_list("name", "pk"))
        errors = {
            **_unknown("regions", regions, set(region_codes), region_codes),
            **_unknown("industries", industries, set(industry_codes), industry_codes),
        }
        if len(product_ids) < len(products):
            errors.update(
                _unknown(
                    "products", products, set(product_ids), Product.objects.values_list("name", flat=True)
                )
            )
        if errors:
            raise ValidationError(errors)
        return (
            [facet_key("region", code) for code in regions]
            + [facet_key("industry", code) for code in industries]
            + [facet_key("product", pk) for pk in sorted(product_ids.values())]
        )

    def product_names(self, ids: set[int]) -> dict[int, str]:
        return dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """What a team's scope may name, for the team form: region and industry codes with their
        names, product names with their product line."""
        return {
            "regions": [(r.code, r.name) for r in Region.objects.order_by("name")],
            "industries": [(i.code, i.name) for i in Industry.objects.order_by("name")],
            "products": [(p.name, f"{p.name} ({p.product_line})") for p in Product.objects.order_by("name")],
        }
