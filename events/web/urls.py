from django.contrib.auth import views as auth_views
from django.urls import path

from events.web import views
from events.web.views.desk_events import (
    desk_event_edit,
    desk_event_new,
    desk_event_preview,
    desk_occurrence,
)
from events.web.views.desk_history import desk_event_history, desk_partnership_history
from events.web.views.desk_itinerary import (
    desk_itinerary,
    desk_itinerary_add,
    desk_itinerary_delete,
    desk_itinerary_row,
)
from events.web.views.planner import desk_planner

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/", views.event_list, name="event_list"),
    path("events/month/", views.month_grid, name="month"),
    path("events/day/<str:day>/", views.day_list, name="day"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("cities/<slug:slug>/", views.city_detail, name="city_detail"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("desk/", views.desk_dashboard, name="desk"),
    path("desk/events/new/", views.desk_create, name="desk_create"),
    path("desk/events/new/full/", desk_event_new, name="desk_event_new"),
    path("desk/events/preview/", desk_event_preview, name="desk_event_preview"),
    path("desk/events/<int:pk>/edit/", desk_event_edit, name="desk_event_edit"),
    path("desk/events/<int:pk>/occurrences/", desk_occurrence, name="desk_occurrence"),
    path("desk/events/<int:pk>/itinerary/", desk_itinerary, name="desk_itinerary"),
    # A leg ("legs/") or a programme item ("programme/"): add, edit, delete.
    *(
        url
        for part, segment in (("leg", "legs"), ("item", "programme"))
        for url in (
            path(
                f"desk/events/<int:pk>/itinerary/{segment}/",
                desk_itinerary_add,
                {"part": part},
                name=f"desk_itinerary_{part}_add",
            ),
            path(
                f"desk/events/<int:pk>/itinerary/{segment}/<int:row_pk>/",
                desk_itinerary_row,
                {"part": part},
                name=f"desk_itinerary_{part}",
            ),
            path(
                f"desk/events/<int:pk>/itinerary/{segment}/<int:row_pk>/delete/",
                desk_itinerary_delete,
                {"part": part},
                name=f"desk_itinerary_{part}_delete",
            ),
        )
    ),
    path("desk/events/<int:pk>/history/", desk_event_history, name="desk_event_history"),
    path(
        "desk/partnerships/<int:pk>/history/",
        desk_partnership_history,
        name="desk_partnership_history",
    ),
    path("desk/planner/", desk_planner, name="desk_planner"),
    path("desk/events/<int:pk>/confirm/", views.desk_confirm, name="desk_confirm"),
    path("desk/deliveries/<int:pk>/retry/", views.desk_retry, name="desk_retry"),
    path("desk/imports/new/", views.desk_import, name="desk_import"),
    path(
        "desk/partnerships/<int:pk>/anniversaries/<int:year>/plan/",
        views.desk_plan_anniversary,
        name="desk_plan_anniversary",
    ),
    path(
        "desk/login/",
        auth_views.LoginView.as_view(template_name="web/desk/login.html", next_page="web:desk"),
        name="login",
    ),
    path("desk/logout/", auth_views.LogoutView.as_view(next_page="web:home"), name="logout"),
]
