"""Metrics: /metrics is there only for whoever has METRICS_TOKEN; requests are counted per
view, and logins, failed logins, mail and job runs by the portal's own counters, summed
over the processes of a machine in multiprocess mode."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from prometheus_client import REGISTRY

from conftest import PASSWORD
from portal.core import jobs
from portal.core.mail import mail_send
from portal.core.tests.test_mail import FlakyBackend

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "s3cret-scrape-token"


def value(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Counted:
    """The change of a metric over a block."""

    def __init__(self, name, **labels):
        self.name, self.labels = name, labels

    def __enter__(self):
        self.before = value(self.name, **self.labels)
        return self

    def __exit__(self, *exc):
        self.delta = value(self.name, **self.labels) - self.before


def scrape(client, token=TOKEN, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get("/metrics", **headers)


@pytest.mark.django_db
class TestTheEndpoint:
    def test_without_a_configured_token_it_is_an_unknown_address(self, client, settings):
        settings.METRICS_TOKEN = ""
        response = scrape(client, token="")
        assert response.status_code == 404
        other = client.get("/onbekend")  # the portal's own 404, like any unknown address
        assert response.content.replace(b"metrics", b"onbekend") == other.content

    @pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x"])
    def test_without_the_right_token_it_is_an_unknown_address(self, client, settings, authorization):
        settings.METRICS_TOKEN = TOKEN
        headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
        assert client.get("/metrics", **headers).status_code == 404

    def test_with_the_token_it_answers_the_metrics(self, client, settings):
        settings.METRICS_TOKEN = TOKEN
        response = scrape(client)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert response["Cache-Control"] == "no-store"
        text = response.content.decode()
        for name in ("portal_logins_total", "portal_mail_sent_total", "django_http_requests_latency_seconds_by_view_method"):
            assert name in text

    def test_prometheus_scrapes_a_machine_at_its_own_address(self, client, settings):
        """Answered before the host check and the HTTPS redirect, as /health/ is."""
        settings.METRICS_TOKEN = TOKEN
        settings.ALLOWED_HOSTS = ["klantenportal.harting-bank.nl"]
        settings.SECURE_SSL_REDIRECT = True
        assert scrape(client, HTTP_HOST="10.0.0.5:8000").status_code == 200


@pytest.mark.django_db
class TestCounters:
    def test_requests_are_counted_per_view_with_their_latency(self, client, employee):
        client.force_login(employee)
        labels = {"view": "accounts:my_account", "method": "GET"}
        with (
            Counted("django_http_responses_total_by_status_view_method_total", status="200", **labels) as count,
            Counted("django_http_requests_latency_seconds_by_view_method_count", **labels) as latency,
        ):
            assert client.get(reverse("accounts:my_account")).status_code == 200
        assert count.delta == 1 and latency.delta == 1

    def test_logins_and_failed_logins(self, client, employee):
        with Counted("portal_logins_total") as logins, Counted("portal_login_failures_total") as failures:
            client.post(reverse("account_login"), {"login": employee.email, "password": "fout"})
            client.post(reverse("account_login"), {"login": "niemand@test.example", "password": "fout"})
            client.post(reverse("account_login"), {"login": employee.email, "password": PASSWORD})
        assert (logins.delta, failures.delta) == (1, 2)

    @pytest.mark.django_db(transaction=True)
    def test_mail_queued_sent_retried_and_given_up(self, settings):
        settings.EMAIL_BACKEND = "portal.core.tests.test_mail.FlakyBackend"
        settings.MAIL_MAX_ATTEMPTS = 3
        mail.outbox = []
        counted = [Counted(f"portal_mail_{event}_total") for event in ("queued", "sent", "retried", "given_up")]
        for count in counted:
            count.__enter__()
        FlakyBackend.failures = 1  # the first mail: one retry, then sent
        mail_send(to="a@test.example", subject="Eén keer opnieuw", body="Tekst")
        FlakyBackend.failures = 3  # the second: three failures, given up
        mail_send(to="b@test.example", subject="Opgegeven", body="Tekst")
        FlakyBackend.failures = 0
        for count in counted:
            count.__exit__()
        assert [count.delta for count in counted] == [2, 1, 3, 1]

    def test_nothing_is_counted_for_mail_whose_transaction_rolled_back(self):
        from django.db import transaction

        with Counted("portal_mail_queued_total") as queued, pytest.raises(RuntimeError), transaction.atomic():
            mail_send(to="a@test.example", subject="Onderwerp", body="Tekst")
            raise RuntimeError("the write failed")
        assert queued.delta == 0

    def test_job_runs_per_job_and_outcome(self, monkeypatch):
        monkeypatch.setattr(jobs, "_jobs", {})

        def broken():
            raise ValueError("kapot")

        jobs.register_job("metrics_heel", lambda: None)
        jobs.register_job("metrics_kapot", broken)
        with (
            Counted("portal_job_runs_total", job="metrics_heel", outcome="succeeded") as good,
            Counted("portal_job_runs_total", job="metrics_kapot", outcome="failed") as bad,
        ):
            jobs.run_due_jobs()
        assert (good.delta, bad.delta) == (1, 1)


MULTIPROCESS_SCRIPT = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from portal.core.metrics import MAIL_SENT
    MAIL_SENT.inc()
    if sys.argv[1] == "scrape":
        from django.test import Client
        response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer " + os.environ["METRICS_TOKEN"])
        sys.stdout.write(response.content.decode())
    """
)


def test_in_multiprocess_mode_metrics_is_the_sum_of_every_process(tmp_path):
    """Two processes (a gunicorn worker and the task worker, say) count mail sent: /metrics
    served by either answers their sum."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)},
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "METRICS_TOKEN": TOKEN,
        "DEBUG": "1",
    }
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-c", MULTIPROCESS_SCRIPT, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    run("count")
    scraped = run("scrape").stdout
    assert "portal_mail_sent_total 2.0" in scraped
