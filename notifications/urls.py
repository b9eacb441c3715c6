from django.urls import path
from rest_framework.routers import DefaultRouter

from notifications.api import DeliveryViewSet, RuleViewSet, unsubscribe_view

router = DefaultRouter()
router.register("reminder-rules", RuleViewSet, basename="reminder-rule")
router.register("deliveries", DeliveryViewSet, basename="delivery")

urlpatterns = [
    path(
        "unsubscribe/<str:token>/",
        unsubscribe_view,
        name="notifications-unsubscribe",
    ),
    *router.urls,
]
