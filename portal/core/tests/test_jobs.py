"""The periodic jobs: each runs once per period however many workers ask, a failure is
logged and stored without stopping the others, and a late job makes /health/ready/ say so."""

import io
import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from portal.core import jobs
from portal.core.models import JobRun


@pytest.fixture
def registry(monkeypatch):
    """A registry of the test's own jobs."""
    monkeypatch.setattr(jobs, "_jobs", {})
    return jobs


def test_every_app_registers_its_daily_jobs():
    names = {job.name for job in jobs.jobs()}
    assert {"clear_sessions", "prune_task_results", "prune_job_runs", "reactivate_due_accounts", "prune_import_batches"} <= names


@pytest.mark.django_db
class TestRunningJobs:
    def test_a_job_runs_once_per_period(self, registry):
        calls = []
        registry.register_job("tel", lambda: calls.append(1))
        assert registry.run_due_jobs() == ["tel"]
        assert registry.run_due_jobs() == []  # the same day
        with time_machine.travel(timezone.now() + timedelta(days=1)):
            assert registry.run_due_jobs() == ["tel"]
        assert len(calls) == 2 and JobRun.objects.filter(succeeded=True).count() == 2

    def test_a_failing_job_is_stored_and_logged_and_the_others_run(self, registry, caplog):
        def broken():
            raise ValueError("geheim@voorbeeld.example")

        registry.register_job("kapot", broken)
        registry.register_job("heel", lambda: "klaar")
        assert registry.run_due_jobs() == ["kapot", "heel"]
        failed = JobRun.objects.get(name="kapot")
        assert failed.succeeded is False and failed.error == "ValueError"
        assert "job kapot failed (ValueError)" in caplog.text
        assert "geheim@voorbeeld.example" not in caplog.text  # no text of the error, which may be personal
        assert JobRun.objects.get(name="heel").succeeded

    def test_a_late_job_makes_readiness_fail(self, registry, client):
        registry.register_job("dagelijks", lambda: None)
        registry.run_due_jobs()
        assert client.get("/health/ready/").status_code == 200
        with time_machine.travel(timezone.now() + timedelta(days=2, hours=1)):
            body = client.get("/health/ready/").json()
            assert body["jobs_late"] == ["dagelijks"] and body["status"] == "jobs_late"

    def test_the_real_jobs_run(self):
        Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))
        out = io.StringIO()
        call_command("run_jobs", stdout=out)
        assert not Session.objects.exists()  # clear_sessions
        assert JobRun.objects.filter(succeeded=True).count() == len(jobs.jobs())
        assert "reactivate_due_accounts" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_run_a_job_once(registry):
    calls = []
    registry.register_job("samen", lambda: calls.append(1))
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            registry.run_due_jobs()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and JobRun.objects.count() == 1


def test_period_start_is_local_midnight_for_a_daily_job():
    job = jobs.Job("x", lambda: None)
    moment = timezone.make_aware(timezone.datetime(2026, 12, 2, 14, 30))
    assert timezone.localtime(jobs.period_start(job, moment)).strftime("%Y-%m-%d %H:%M") == "2026-12-02 00:00"
    hourly = jobs.Job("y", lambda: None, period=timedelta(hours=1))
    assert timezone.localtime(jobs.period_start(hourly, moment)).strftime("%H:%M") == "14:00"
