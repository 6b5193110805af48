"""No secret link in any log line: tokens in paths are masked as each log record is made.

A path logged by Django ("Forbidden (CSRF token missing.): /run/<token>/trips/…", "Not
Found: /intake/ticket/<token>/", runserver's request line) would hand whoever reads the
logs a live run sheet, a guest's ticket or a password link. Masking in a handler's filter
would protect only the handlers configured here, not a WSGI server's own error log or a
test's catch-all; so ``install`` wraps Python's log-record factory and every record of the
process is masked before any handler sees it.

Two rules, both applied:
- every URL pattern with a parameter named like a secret (``token``, ``uidb64``, ``secret``,
  ``code``) in the URLconf: that parameter's value is replaced by ``…``, whatever its shape;
- any run of 24 or more token characters holding both a digit and a letter (the shape of a
  signed or random token, also inside an encoded ``?next=`` link) is replaced by ``…``.
"""
from __future__ import annotations

import logging
import re

MASK = "…"
SECRET_PARAM = re.compile(r"token|uidb64|secret|code", re.I)
TOKEN_SHAPE = re.compile(r"(?:(?<=%2F)|(?<=%2f)|(?<![\w.:=%-]))(?=[\w.:=-]*\d)(?=[\w.:=-]*[A-Za-z])[\w.:=-]{24,}")
_SEGMENT = r"[^/\s?#\"'<>]+"
_routes: re.Pattern | None = None
_building = False


def _walk(patterns, prefix: str = ""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if hasattr(p, "url_patterns"):
            yield from _walk(p.url_patterns, route)
        else:
            yield route


def _route_regex(route: str) -> str | None:
    """A regex for one route, with a named group for each secret parameter; None if it has none."""
    parts = re.split(r"<(?:\w+:)?(\w+)>", route.lstrip("^").rstrip("$"))
    literal, names = parts[0::2], parts[1::2]
    if not any(SECRET_PARAM.search(n) for n in names):
        return None
    regex = re.escape(literal[0])
    for name, after in zip(names, literal[1:]):
        regex += f"({_SEGMENT})" if SECRET_PARAM.search(name) else _SEGMENT
        regex += re.escape(after)
    return regex


def _secret_routes() -> re.Pattern | None:
    """All secret-bearing routes of the URLconf, compiled once (None while the URLconf is not loadable)."""
    global _routes, _building
    if _routes is None and not _building:
        _building = True  # a record logged while the URLconf imports must not recurse into it
        try:
            from django.urls import get_resolver

            found = [r for r in map(_route_regex, _walk(get_resolver().url_patterns)) if r]
            _routes = re.compile("|".join(f"(?:{r})" for r in found) or r"(?!x)x")
        except Exception:  # settings or URLconf not ready: the shape rule still applies
            return None
        finally:
            _building = False
    return _routes


def _blank_groups(match: re.Match) -> str:
    text, start, out = match.group(0), match.start(), []
    cursor = 0
    for i in range(1, (match.re.groups or 0) + 1):
        if match.start(i) >= 0:
            out += [text[cursor:match.start(i) - start], MASK]
            cursor = match.end(i) - start
    return "".join(out) + text[cursor:]


def mask(text: str) -> str:
    routes = _secret_routes()
    if routes is not None:
        text = routes.sub(_blank_groups, text)
    return TOKEN_SHAPE.sub(MASK, text)


def mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record is left to logging's own error report
        return
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))


def install() -> None:
    """Mask every log record of this process from now on (once, however often it is called)."""
    made = logging.getLogRecordFactory()
    if getattr(made, "masks_secrets", False):
        return

    def factory(*args, **kwargs):
        record = made(*args, **kwargs)
        mask_record(record)
        return record

    factory.masks_secrets = True
    logging.setLogRecordFactory(factory)
