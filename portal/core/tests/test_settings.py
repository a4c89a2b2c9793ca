"""Production settings, checked in a fresh process as a deploy would start it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 64 + "-production-like-key-for-the-check",
    "ALLOWED_HOSTS": "klantenportal.harting-bank.nl",
    "EMAIL_URL": "smtp://mail.example:587",
    "TESTING": "0",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True)


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_when_not_asked_for():
    env = {k: v for k, v in PRODUCTION.items() if k not in ("DEBUG", "SECRET_KEY")}
    result = manage("check", **env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_check_deploy_passes_with_the_documented_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
