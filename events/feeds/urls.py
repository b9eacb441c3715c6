from django.urls import path

from events.feeds import api, views

app_name = "feeds"

urlpatterns = [
    path("feeds/all.ics", views.all_feed, name="all"),
    path("feeds/city/<slug:slug>.ics", views.city_feed, name="city"),
    path("feeds/partnership/<int:pk>.ics", views.partnership_feed, name="partnership"),
    path("feeds/kind/<slug:kind>.ics", views.kind_feed, name="kind"),
    path("feeds/anniversaries.ics", views.anniversaries_feed, name="anniversaries"),
    path(
        "feeds/partnership/<int:pk>/anniversaries.ics",
        views.partnership_anniversaries_feed,
        name="partnership_anniversaries",
    ),
    path("feeds/event/<slug:slug>.ics", views.event_feed, name="event"),
    path("feeds/private/<slug:token>.ics", views.private_feed, name="private"),
    path("api/feeds/tokens/", api.FeedTokenListView.as_view(), name="api-tokens"),
    path(
        "api/feeds/tokens/<int:pk>/revoke/",
        api.FeedTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path(
        "api/feeds/tokens/<int:pk>/regenerate/",
        api.FeedTokenRegenerateView.as_view(),
        name="api-token-regenerate",
    ),
    path("api/feeds/imports/", api.ImportView.as_view(), name="api-imports"),
    path("api/feeds/imports/<int:pk>/", api.ImportJobView.as_view(), name="api-import"),
    path("api/feeds/links/", api.FeedLinksView.as_view(), name="api-links"),
]
