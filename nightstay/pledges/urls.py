from django.urls import path

from . import views

app_name = "pledges"
urlpatterns = [
    path("<slug:hub>/", views.mine, name="mine"),
    path("<slug:hub>/home/", views.home, name="home"),
    path("<slug:hub>/beds/new/", views.new_beds, name="new_beds"),
    path("<slug:hub>/seats/new/", views.new_seats, name="new_seats"),
    path("<slug:hub>/<str:kind>/<uuid:pledge_id>/", views.edit, name="edit"),
    path("<slug:hub>/<str:kind>/<uuid:pledge_id>/cancel/", views.cancel_night, name="cancel_night"),
    path("<slug:hub>/<str:kind>/<uuid:pledge_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:hub>/cards/", views.cards, name="cards"),
    path("<slug:hub>/tonight/", views.tonight, name="tonight"),
]
