from django.urls import path
from rest_framework.routers import DefaultRouter

from events.api.event_views import AnniversaryListView, EventViewSet, OccurrenceListView
from events.api.planner import PlannerView
from events.api.views import CityViewSet, ContactViewSet, PartnershipViewSet

router = DefaultRouter()
router.register("cities", CityViewSet, basename="city")
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("events", EventViewSet, basename="event")
router.register("contacts", ContactViewSet, basename="contact")

urlpatterns = [
    path("occurrences/", OccurrenceListView.as_view(), name="occurrence-list"),
    path("anniversaries/", AnniversaryListView.as_view(), name="anniversary-list"),
    path("planner/", PlannerView.as_view(), name="planner"),
    *router.urls,
]
