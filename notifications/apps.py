from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Register the Celery tasks by name in every process (web, worker, tests), so
        # notifications.dispatch can enqueue them by name, eagerly in tests.
        from notifications import tasks  # noqa: F401
