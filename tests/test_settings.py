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

# Only what the README says production must set: everything else is secure by default.
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-" + "z" * 20,
    "ALLOWED_HOSTS": "calendar.example.org",
}
SERVICES_ENV = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
# Set by the test run itself (config/testing.py) or by a developer's shell; a subprocess that
# plays production must not inherit them.
_INHERITED = {"SECRET_KEY", "SECRET_KEY_FILE", "PLAIN_HTTP", "DEBUG", "ALLOWED_HOSTS"}


def _clean_environ() -> dict[str, str]:
    """This process's environment without what the test run itself sets (browser tests allow
    Django's sync ORM under Playwright's event loop; production never does)."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in _INHERITED
        and k not in SERVICES_ENV
        and not k.startswith(("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_"))
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_clean_environ(), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _run_django(code: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = _clean_environ()
    env.update(extra_env)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_only_debug_secret_key_and_hosts_set():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_default_to_https_only_in_production():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )

    result = _run_django(code, PRODUCTION_ENV)

    assert result.stdout.split() == ["True", "True", "True", "31536000", "True"], result.stderr


def test_settings_plain_http_turns_https_hardening_off_and_deploy_check_says_so():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS)"
    )
    env = {**PRODUCTION_ENV, "PLAIN_HTTP": "1"}

    settings_shown = _run_django(code, env)
    check = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert settings_shown.stdout.split() == ["False", "False", "False", "0"], settings_shown.stderr
    assert check.returncode != 0
    assert "security.W008" in check.stderr


def test_settings_plain_http_keeps_an_explicit_variable():
    code = "import django; django.setup(); from django.conf import settings as s;print(s.SESSION_COOKIE_SECURE)"

    result = _run_django(code, {**PRODUCTION_ENV, "PLAIN_HTTP": "1", "SESSION_COOKIE_SECURE": "1"})

    assert result.stdout.split() == ["True"], result.stderr


def test_settings_switch_to_postgresql_and_redis_by_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL);"
        "print(s.CACHES['default']['BACKEND'])"
    )

    result = _run_django(code, {**PRODUCTION_ENV, **SERVICES_ENV})

    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/0",
        "common.cache.FailSafeRedisCache",
    ], result.stderr


def test_settings_default_to_embedded_services():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL)"
    )

    result = _run_django(code, {"DEBUG": "1", "DATABASE_URL": "", "REDIS_URL": ""})

    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://localhost//"], (
        result.stderr
    )


@pytest.mark.parametrize(
    "secret_env",
    [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": "insecure-demo-key-" + "x" * 40}],
    ids=["unset", "empty", "demo-key"],
)
def test_settings_refuse_missing_or_demo_secret_key_when_debug_is_off(secret_env):
    env = {"ALLOWED_HOSTS": "calendar.example.org", **secret_env}

    explicit = _manage("check", env={**env, "DEBUG": "0"})
    by_default = _manage("check", env=env)

    for result in (explicit, by_default):
        assert result.returncode != 0
        assert "ImproperlyConfigured: SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_settings_allow_the_demo_key_only_with_debug_on():
    result = _run_django(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECRET_KEY.startswith('insecure-demo-key-'))",
        {"DEBUG": "1"},
    )

    assert result.stdout.split() == ["True"], result.stderr


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
