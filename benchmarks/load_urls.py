"""Every page of the site, and ``/bench/bare/``: a view that does nothing, through the same middleware."""
from django.http import HttpResponse
from django.urls import path

from nightstay.site.urls import handler400, handler403, handler404, handler500, urlpatterns as site  # noqa: F401


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site]
