from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "events.web"
    label = "web"
    verbose_name = "Website"
