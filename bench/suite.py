"""The portal's benchmark suite (part of it; see the report's last lines).

    make bench            (or: python -m bench.suite)

For SQLite and, when reachable, PostgreSQL, against gunicorn with two sync workers on
loopback and production settings, every figure a ratio against a baseline measured in
the same run:

1. Logins: the full HTTP flow (login page, credentials, the page after) in logins per
   second, as a fraction of the hash ceiling: Argon2id verifications per second on one
   core, measured at the start, times the cores the server uses.
2. Pages: home, Mijn account and the order history for a logged-in user, in requests per second, as a
   fraction of a bare view returning a short text behind the same server and
   middleware.
3. Memory: resident memory of the server's processes after the run.

The Accountbeheer benchmark with 100,000 accounts is `make bench-accounts`.
"""

import json
import os
import subprocess
import sys
import threading
import time

from argon2 import PasswordHasher

from bench import common

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WORKERS = 2
LOGIN_CLIENTS = 4
LOGIN_USERS = 200  # Monday morning: many people log in, each once or twice
USER = "besteller@vandijk.example"
PASSWORD = "welkom-demo-2026"  # the demo password (README)


def login_user(n):
    return f"inlog{n:04d}@bench.example"


def prepare():
    """In a process of its own, with DATABASE_URL set: schema, static files, demo data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_demo", allow_production=True, verbosity=0)
    _login_users()


def _login_users():
    """LOGIN_USERS active accounts with the demo password, created once; their old
    sessions are removed so every run starts alike."""
    from allauth.usersessions.models import UserSession
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session

    from portal.accounts.models import User
    from portal.organizations.models import Membership, Organization, Status

    organization, _ = Organization.objects.get_or_create(customer_number="BENCH-LOGIN", defaults={"name": "Bench Inlog B.V."})
    encoded = make_password(PASSWORD)  # one hash for all: the cost per login is the same
    for n in range(LOGIN_USERS):
        user, created = User.objects.get_or_create(
            email=login_user(n), defaults={"full_name": f"Inlogger {n}", "password": encoded, "organization": organization}
        )
        if created:
            Membership.objects.create(user=user, organization=organization, status=Status.ACTIVE)
    UserSession.objects.all().delete()
    Session.objects.all().delete()


def hash_ceiling(seconds=3.0):
    """Argon2id verifications per second on one core, at the portal's parameters."""
    hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    encoded = hasher.hash(PASSWORD)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        hasher.verify(encoded, PASSWORD)
        done += 1
    return done / (time.perf_counter() - started)


def logins(port, seconds):
    """Full login flows per second from LOGIN_CLIENTS threads, bounded in time; the
    threads take the LOGIN_USERS accounts in turn."""
    done, errors, turn = [0], [0], [0]
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        while time.monotonic() < stop_at:
            with lock:
                email = login_user(turn[0] % LOGIN_USERS)
                turn[0] += 1
            client = common.Client(port)
            try:
                client.log_in(email, PASSWORD)
                status, _location, _body = client.get("/")
                ok = status == 200
            except Exception:  # noqa: BLE001 - counted as an error
                ok = False
            with lock:
                done[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(LOGIN_CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.monotonic() - started), errors[0]


def resident_memory_mb(pid):
    """RSS of a process and its children, in MB (from /proc)."""
    pids = [pid]
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    pids += [int(p) for p in children]
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def measure(database_url, ceiling):
    common.ensure_hey()
    env = common.environment(
        database_url, BENCH_BARE_VIEW="1", LOGIN_RATE_LIMIT="1000000/m/ip",
        LOGIN_FAILED_RATE_LIMIT="1000000/m/ip,1000000/m/key",
    )  # fmt: skip
    if database_url.startswith("postgres"):
        common.ensure_postgres_database(database_url)
    prepared = subprocess.run([sys.executable, "-m", "bench.suite", "--prepare"], cwd=common.ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
    if prepared.returncode:
        sys.exit(f"preparing the {common.engine_name(database_url)} run failed:\n{prepared.stderr}")
    result = {"engine": common.engine_name(database_url)}
    with common.server(env, workers=WORKERS) as (port, process):
        logins(port, 2)  # warm-up
        per_second, errors = logins(port, SECONDS)
        result["logins"] = {
            "per_second": per_second, "errors": errors, "ceiling": ceiling * WORKERS,
            "ratio": per_second / (ceiling * WORKERS),
        }  # fmt: skip
        cookies = common.Client(port).log_in(USER, PASSWORD).cookies
        pages = {}
        for name, path in (("bare view", "/bench/bare/"), ("home", "/"), ("Mijn account", "/mijn-account/"),
                           ("order history", "/bestellen/bestellingen/")):
            common.hey(port, path, cookies, seconds=1.5)  # warm-up
            values, statuses, elapsed = common.hey(port, path, cookies, seconds=SECONDS)
            pages[name] = {
                "rps": len(values) / elapsed, "p50": common.percentile(values, 50), "p95": common.percentile(values, 95),
                "errors": sum(1 for s in statuses if s != 200),
            }  # fmt: skip
        for name, figures in pages.items():
            figures["ratio"] = figures["rps"] / pages["bare view"]["rps"]
        result["pages"] = pages
        result["memory_mb"] = resident_memory_mb(process.pid)
    return result


def report(runs, machine, ceiling):
    lines = [
        "# Benchmark suite",
        "",
        f"Machine: {machine['cores']} cores, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql']}. Server: gunicorn, {WORKERS} sync workers, DEBUG off. "
        f"Hash ceiling: {ceiling:.1f} Argon2id verifications/s on one core.",
        "",
        "| database | measure | figure | baseline | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        login = run["logins"]
        lines.append(
            f"| {run['engine']} | logins/s (full HTTP flow, {LOGIN_CLIENTS} clients, {LOGIN_USERS} accounts) | {login['per_second']:.1f} "
            f"| {login['ceiling']:.1f} (hash ceiling × {WORKERS}) | {login['ratio']:.2f} | ≥ 0.70 |"
        )
        bare = run["pages"]["bare view"]["rps"]
        for name in ("home", "Mijn account", "order history"):
            page = run["pages"][name]
            lines.append(
                f"| {run['engine']} | {name} req/s (p95 {page['p95']:.0f} ms) | {page['rps']:.0f} | {bare:.0f} (bare view) "
                f"| {page['ratio']:.2f} | ≥ 0.50 |"
            )
        lines.append(f"| {run['engine']} | resident memory of the server ({WORKERS} workers + master) | {run['memory_mb']:.0f} MB | | | ≤ 500 MB |")
    lines += [
        "",
        "Not yet measured: the SQLite write mix (orders and service requests at 50 clients).",
        "Accountbeheer at 100,000 accounts is `make bench-accounts`.",
    ]
    return "\n".join(lines) + "\n"


def main():
    if "--prepare" in sys.argv:
        return prepare()
    ceiling = hash_ceiling()
    runs = [measure(common.SQLITE_URL, ceiling)]
    if common.postgres_reachable(common.POSTGRES_URL):
        runs.append(measure(common.POSTGRES_URL, ceiling))
    machine = common.machine()
    common.write_report("suite", report(runs, machine, ceiling), {"machine": machine, "ceiling": ceiling, "runs": runs})
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
