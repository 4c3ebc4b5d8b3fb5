from decimal import Decimal

from django import template
from django.utils.http import urlencode

from mora.core.money import format_bs
from mora.core.roles import has_role

register = template.Library()


@register.filter
def bs(value):
    """{{ amount|bs }} -> Bs 1.234,50"""
    return format_bs(value)


@register.filter
def bs_plain(value):
    return format_bs(value, symbol=False)


@register.filter
def thousands(value):
    """12345 -> 12.345"""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


@register.simple_tag(takes_context=True)
def can(context, *roles):
    return has_role(context["request"].user, *roles)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params, doseq=True) if params else "?"


@register.filter
def pct(value):
    """Decimal('12.34') -> 12,3 (a percentage with one decimal, Bolivian comma)."""
    if value in (None, ""):
        return ""
    return f"{Decimal(value):.1f}".replace(".", ",")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key
