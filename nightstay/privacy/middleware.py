"""Headers every response carries: a strict CSP with no inline script, no referrer to other sites, and no
caching of anything a logged-in person sees (a seized phone's cache holds no run sheet)."""

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        # No referrer at all, not even to our own pages (nightstay.privacy.csrf copes with the
        # "Origin: null" that browsers then send on form posts).
        response["Referrer-Policy"] = "no-referrer"
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "private_page", False):
            response["Cache-Control"] = "no-store"
        return response
