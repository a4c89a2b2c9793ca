"""Error reports: Sentry only with SENTRY_DSN, and nothing personal in a report."""

import json
import os
import subprocess
import sys
from pathlib import Path

from portal.core import requestid, sentry

ROOT = Path(__file__).resolve().parents[3]
# A DSN on this machine's loopback, on a port where nothing listens: nothing leaves it.
DSN = "http://public@127.0.0.1:9/1"
REPORT = (
    "import json, sentry_sdk, django; django.setup(); client = sentry_sdk.get_client(); "
    "print(json.dumps({'active': client.is_active(), 'dsn': client.dsn, "
    "'pii': client.options.get('send_default_pii'), 'locals': client.options.get('include_local_variables'), "
    "'body': client.options.get('max_request_body_size'), "
    "'before_send': getattr(client.options.get('before_send'), '__qualname__', None)}))"
)


def started(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SENTRY_DSN", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_dsn_nothing_is_started():
    assert started()["active"] is False


def test_with_a_dsn_it_starts_without_personal_data():
    client = started(SENTRY_DSN=DSN)
    assert client["active"] is True and client["dsn"] == DSN
    assert client["pii"] is False and client["locals"] is False and client["body"] == "never"
    assert client["before_send"] == "scrub_event"


def test_init_asks_for_no_personal_data(monkeypatch):
    options = {}
    monkeypatch.setattr(sentry.sentry_sdk, "init", lambda **kwargs: options.update(kwargs))
    sentry.sentry_init(DSN, environment="productie")
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is sentry.scrub_event and options["environment"] == "productie"
    assert "email" in options["event_scrubber"].denylist


def event():
    return {
        "transaction": "/uitnodiging/{token}/",
        "request": {
            "url": "https://klantenportal.harting-bank.nl/uitnodiging/geheim-token/",
            "method": "POST",
            "query_string": "q=Anna+de+Vries",
            "data": {"email": "anna@bakkerij.example", "password": "x"},
            "cookies": {"sessionid": "abc"},
            "headers": {
                "Cookie": "sessionid=abc",
                "Authorization": "Bearer t",
                "User-Agent": "Firefox",
                "Referer": "https://x/?q=Anna",
                "X-Forwarded-For": "203.0.113.9",
            },
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": "7", "email": "anna@bakkerij.example", "username": "anna", "ip_address": "203.0.113.9"},
        "exception": {"values": [{"type": "IntegrityError", "value": "Key (email)=(anna@bakkerij.example) already exists."}]},
        "logentry": {"message": "failed for %s", "formatted": "failed for anna@bakkerij.example"},
        "breadcrumbs": {
            "values": [
                {"category": "query", "message": "SELECT ... WHERE email = %s", "data": {"params": ["anna@bakkerij.example"]}}
            ]
        },
    }


def test_a_report_drops_bodies_cookies_credentials_the_query_and_the_user_but_an_id():
    scrubbed = sentry.scrub_event(event())
    text = json.dumps(scrubbed)
    assert "anna" not in text.lower() and "geheim-token" not in text and "sessionid" not in text
    assert "203.0.113.9" not in text and "Bearer" not in text
    assert scrubbed["request"]["url"] == "/uitnodiging/{token}/"
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox"}
    assert scrubbed["user"] == {"id": "7"}
    assert scrubbed["exception"]["values"][0]["value"] == "Key (email)=([e-mail]) already exists."


def test_a_report_names_the_request_id():
    token = requestid._request_id.set("abc123")
    try:
        assert sentry.scrub_event({})["tags"] == {"request_id": "abc123"}
    finally:
        requestid._request_id.reset(token)
    assert "tags" not in sentry.scrub_event({})
