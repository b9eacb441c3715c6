"""The settings as mypy's django-stubs plugin imports them (to learn the apps and models): the
test run's environment defaults (config/testing.py), then the one settings module unchanged."""

import config.testing  # noqa: F401
from config.settings import *  # noqa: F403
