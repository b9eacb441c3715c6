from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from events.api.event_views import AnniversaryListView, EventViewSet, OccurrenceListView
from events.api.itinerary import ItineraryView, LegViewSet, ProgrammeItemViewSet
from events.api.planner import PlannerView
from events.api.proposals import ProposalViewSet
from events.api.views import CityViewSet, ContactViewSet, PartnershipViewSet

router = DefaultRouter()
router.register("cities", CityViewSet, basename="city")
router.register("partnerships", PartnershipViewSet, basename="partnership")
router.register("events", EventViewSet, basename="event")
router.register("contacts", ContactViewSet, basename="contact")
router.register("proposals", ProposalViewSet, basename="proposal")
_EVENT = r"events/(?P<event_pk>[0-9]{1,15})/itinerary"
router.register(f"{_EVENT}/legs", LegViewSet, basename="itinerary-leg")
router.register(f"{_EVENT}/programme", ProgrammeItemViewSet, basename="itinerary-item")

urlpatterns = [
    path("occurrences/", OccurrenceListView.as_view(), name="occurrence-list"),
    path("anniversaries/", AnniversaryListView.as_view(), name="anniversary-list"),
    path("planner/", PlannerView.as_view(), name="planner"),
    re_path(rf"^{_EVENT}/$", ItineraryView.as_view(), name="itinerary"),
    *router.urls,
]
