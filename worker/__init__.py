from worker.celery import app

__all__ = ["app"]
