"""``{% push_button %}``: the "Get messages on this phone" button a volunteer's own page shows."""
from django import template

from nightstay.messaging import push_forget, vapid

register = template.Library()


@register.inclusion_tag("messaging/_push_button.html", takes_context=True)
def push_button(context):
    """``subscribed_here``: this session made a subscription the site still has. The page shows
    "Messages come to this phone" only then, not merely because the browser holds one: after a
    log-out the site forgot it (``push_forget``) though the browser did not."""
    request = context.get("request")
    here = bool(request and request.user.is_authenticated and push_forget.still_here(request))
    return {"csrf_token": context.get("csrf_token"), "vapid_public_key": vapid.public_key(), "subscribed_here": here}
