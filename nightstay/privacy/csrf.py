"""CSRF protection that works under ``Referrer-Policy: no-referrer``.

With no referrer, browsers send ``Origin: null`` on form posts and no ``Referer`` at all, so
Django's origin and referer checks would refuse every form. A browser also sends
``Sec-Fetch-Site`` on every request, a header no page can set or forge: when it says
``same-origin``, the post came from one of our own pages, which is what the origin and
referer checks were there to establish. The CSRF token is still checked as always; a
request without ``Sec-Fetch-Site`` (an old browser) falls back to Django's own checks.
"""
from django.middleware.csrf import CsrfViewMiddleware


def _from_our_pages(request) -> bool:
    return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"


class NoReferrerCsrfMiddleware(CsrfViewMiddleware):
    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null" and _from_our_pages(request):
            return True
        return super()._origin_verified(request)

    def _check_referer(self, request):
        if "HTTP_REFERER" not in request.META and _from_our_pages(request):
            return
        super()._check_referer(request)
