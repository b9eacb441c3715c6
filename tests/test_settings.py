"""The one settings module: environment-driven, fails fast, passes Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-" + "z" * 20,
    "REQUIRE_SECRET_KEY": "1",
    "ALLOWED_HOSTS": "calendar.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _clean_environ() -> dict[str, str]:
    """This process's environment without what the test run itself sets (browser tests allow
    Django's sync ORM under Playwright's event loop; production never does)."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }


def _run_django(code: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = _clean_environ()
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**_clean_environ(), **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_switch_to_postgresql_and_redis_by_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL);"
        "print(s.CACHES['default']['BACKEND'])"
    )

    result = _run_django(code, PRODUCTION_ENV)

    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/0",
        "django.core.cache.backends.redis.RedisCache",
    ], result.stderr


def test_settings_default_to_embedded_services():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL)"
    )

    result = _run_django(code, {"DATABASE_URL": "", "REDIS_URL": ""})

    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"], result.stderr


def test_settings_refuse_missing_secret_key_in_production():
    result = _run_django(
        "import django; django.setup()", {"REQUIRE_SECRET_KEY": "1", "SECRET_KEY": ""}
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("helper", "value", "message"),
    [
        (lambda: env_bool("TWIN_X"), "maybe", "must be a boolean"),
        (lambda: env_int("TWIN_X", 1), "ten", "must be an integer"),
        (lambda: env_int("TWIN_X", 1, minimum=1), "0", "at least 1"),
    ],
)
def test_env_helpers_fail_fast_on_bad_values(monkeypatch, helper, value, message):
    monkeypatch.setenv("TWIN_X", value)

    with pytest.raises(ImproperlyConfigured, match=message):
        helper()


def test_env_helpers_read_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("TWIN_SECRET_FILE", str(secret))
    monkeypatch.setenv("TWIN_LIST", "a, b,,c")

    assert env_str("TWIN_SECRET") == "from-a-file"
    assert env_list("TWIN_LIST") == ["a", "b", "c"]


def test_env_helpers_report_unreadable_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TWIN_SECRET_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("TWIN_SECRET")
