from django.urls import path

from . import links, outgoing, sheets, stays, undo, views

urlpatterns = [
    path("<slug:hub>/tonight/", views.board, name="board"),
    path("<slug:hub>/tonight/announce/", views.announce_plan, name="announce"),
    path("<slug:hub>/tonight/park/", views.at_park, name="at_park"),
    path("<slug:hub>/tonight/links/send/", outgoing.send_all, name="send_links"),
    path("<slug:hub>/tonight/messages/driver/", outgoing.message_driver, name="message_driver"),
    path("<slug:hub>/tonight/messages/road/", outgoing.message_road, name="message_road"),
    path("<slug:hub>/tonight/links/<uuid:grant>/new/", links.new_link, name="new_link"),
    path("<slug:hub>/tonight/links/<uuid:grant>/code/", links.show_code, name="show_link_code"),
    path("<slug:hub>/stays/", stays.stays_page, name="stays"),
    path("<slug:hub>/stays/book/", stays.book_stay, name="book_stay"),
    path("<slug:hub>/stays/make/", stays.make_stay, name="make_stay"),
    path("<slug:hub>/stays/<uuid:stay>/end/", stays.end_stay, name="end_stay"),
    path("<slug:hub>/host/tonight/", sheets.host_tonight, name="host_tonight"),
    path("<slug:hub>/host/tonight/<uuid:placement>/arrived/", sheets.host_arrived, name="host_arrived"),
    path("<slug:hub>/host/tonight/<uuid:placement>/arrived/undo/", undo.undo_arrived, name="undo_arrived"),
    path("<slug:hub>/driver/tonight/", sheets.driver_tonight, name="driver_tonight"),
    path("run/<str:token>/", sheets.run_sheet, name="run_sheet"),
    path("run/<str:token>/trips/<uuid:trip>/departed/", sheets.departed, name="departed"),
    path("run/<str:token>/stops/<uuid:stop>/dropped/", sheets.dropped, name="dropped"),
    path("run/<str:token>/late/", sheets.late, name="running_late"),
    path("run/<str:token>/trips/<uuid:trip>/departed/undo/", undo.undo_departed, name="undo_departed"),
    path("run/<str:token>/stops/<uuid:stop>/dropped/undo/", undo.undo_dropped, name="undo_dropped"),
]
