"""The gunicorn configuration the README runs: ``gunicorn -c config/gunicorn.conf.py
config.wsgi``. Every value can be overridden on the command line or with GUNICORN_CMD_ARGS."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The access log never shows a private feed's secret (config/gunicorn_logging.py).
logger_class = "config.gunicorn_logging.RedactingLogger"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
