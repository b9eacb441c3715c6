"""pytest plugin (``-p config.testing`` in pyproject's addopts): the test run's environment.

Settings are safe by default -- DEBUG=0 needs a private SECRET_KEY and serves HTTPS only -- so
the test process, and the worker and manage.py subprocesses it starts, run as a plain-HTTP
deployment with a throw-away key. It must be set before pytest-django imports the settings,
which happens before any conftest.py is read. A variable already set in the environment wins.
"""

from __future__ import annotations

import os
import secrets

os.environ.setdefault("SECRET_KEY", "test-run-" + secrets.token_urlsafe(40))
os.environ.setdefault("PLAIN_HTTP", "1")
