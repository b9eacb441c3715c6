from django.urls import path
from rest_framework.routers import DefaultRouter

from notifications.api import DeliveryViewSet, DigestViewSet, RuleViewSet, unsubscribe_view

router = DefaultRouter()
router.register("reminder-rules", RuleViewSet, basename="reminder-rule")
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("digests", DigestViewSet, basename="digest")

urlpatterns = [
    path(
        "unsubscribe/<str:token>/",
        unsubscribe_view,
        name="notifications-unsubscribe",
    ),
    *router.urls,
]
