from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "events.feeds"
    label = "feeds"
    verbose_name = "iCalendar feeds"
