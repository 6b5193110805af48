"""``{% push_button %}``: the "Get messages on this phone" button a volunteer's own page shows."""
from django import template

from nightstay.messaging import vapid

register = template.Library()


@register.inclusion_tag("messaging/_push_button.html", takes_context=True)
def push_button(context):
    return {"csrf_token": context.get("csrf_token"), "vapid_public_key": vapid.public_key()}
