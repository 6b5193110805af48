from django.urls import path

from . import api, views

urlpatterns = [
    path("api/openapi.json", api.openapi, name="network_openapi"),
    path("api/<slug:hub>/counts/", api.counts, name="network_api_counts"),
    path("api/<slug:hub>/offers/", api.offer_list, name="network_api_offers"),
    path("api/<slug:hub>/offers/<uuid:offer>/accept/", api.accept, name="network_api_accept"),
    path("<slug:hub>/", views.network, name="network"),
    path("<slug:hub>/offer/", views.offer, name="network_offer"),
    path("<slug:hub>/offers/<uuid:offer>/accept/", views.accept, name="network_accept"),
    path("<slug:hub>/offers/<uuid:offer>/withdraw/", views.withdraw, name="network_withdraw"),
    path("<slug:hub>/peers/<uuid:peer>/offers/<uuid:offer>/accept/", views.accept_remote, name="network_accept_remote"),
]
