from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from common.api.auth import TokenView
from common.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/", include("events.api.urls")),
    path("api/", include("notifications.urls")),
    path("", include("events.feeds.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("events.web.urls")),
]
