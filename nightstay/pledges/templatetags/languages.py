"""``{{ party.languages|language_names }}``: language codes as names in the page's language."""
from django import template
from django.utils.translation import get_language

from nightstay.pledges.languages import names

register = template.Library()


@register.filter
def language_names(codes) -> str:
    return names(codes or "", get_language() or "en")
