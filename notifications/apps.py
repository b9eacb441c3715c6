from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Register the Celery tasks by name in every process (web, worker, tests), so
        # notifications.dispatch can enqueue them by name, eagerly in tests.
        from notifications import tasks  # noqa: F401
