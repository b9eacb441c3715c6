# The standard Django/Celery wiring: the Celery app is configured whenever Django is, so
# ``@shared_task`` tasks bind to it and ``.delay()`` from a web process uses the configured
# broker (filesystem:// in the demo, Redis when REDIS_URL is set).
from worker.celery import app as celery_app

__all__ = ("celery_app",)
