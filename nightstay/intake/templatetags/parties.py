"""``{{ parties|codes }}``: parties as the board's line of codes, drawn in one pass of Python.

Every open board redraws the list of everyone waiting each time the night changes, and with a
thousand waiting the template loop over them was a third of the board's time (a thousand rows of
five lookups each), time the coordinators registering at the park waited behind."""
from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def codes(parties, ticks: str = "") -> SafeString:
    """``<span class="code">KXRT</span>&nbsp;2&nbsp;women⚠ `` for each party (⚠ vulnerable); with
    ``"placed"``, a ✓ after each party the announced plan has placed."""
    mark, labels, line = ticks == "placed", {}, []
    for p in parties:
        if p.gender not in labels:  # three labels, translated once each
            labels[p.gender] = escape(p.get_gender_display())
        line.append(f'<span class="code">{escape(p.ticket)}</span>&nbsp;{int(p.size)}&nbsp;{labels[p.gender]}'
                    f'{"⚠" if p.vulnerable else ""}{"✓" if mark and p.status == p.Status.PLACED else ""} ')
    return mark_safe("".join(line))
