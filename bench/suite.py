"""The portal's benchmark suite.

    make bench            (or: python -m bench.suite)

For SQLite and, when reachable, PostgreSQL, against each of the two servers measured
(gunicorn and granian, two sync workers each, on loopback with production settings),
every figure a ratio against a baseline measured in the same run:

1. Logins: the full HTTP flow (login page, credentials, the page after) in logins per
   second, as a fraction of the hash ceiling: Argon2id verifications per second on one
   core times the cores the server uses, measured at the start and right before and
   after each login figure (the ratio uses the latter: the machine is shared). The CPU
   time of the load client (threads of this process, on the same cores) is reported.
2. Pages: home, Mijn account and the order history for a logged-in user, in requests
   per second, as a fraction of a bare view returning a short text behind the same
   server and middleware.
3. Memory: resident memory of the server's processes after the run.
4. On SQLite, the write mix (bench/writes.py): orders, service requests and reads, one
   task in ten a write, from 50 concurrent locust clients against the server of
   `make serve`.

The Accountbeheer benchmark with 100,000 accounts is `make bench-accounts`.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from argon2 import PasswordHasher

from bench import common, writes

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WRITE_SECONDS = float(os.environ.get("BENCH_WRITE_SECONDS", str(max(SECONDS * 2, 10))))
WORKERS = 2
ROUNDS = 4  # each figure is measured in this many slices, taking turns with its baseline
SERVERS = [s for s in os.environ.get("BENCH_SERVERS", ",".join(common.SERVERS)).split(",") if s]
SERVE = "gunicorn"  # the server of `make serve` (see the report's comparison)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
LOGIN_CLIENTS = 4
LOGIN_USERS = 200  # Monday morning: many people log in, each once or twice
USER = "besteller@vandijk.example"
PASSWORD = "welkom-demo-2026"  # the demo password (README)


def login_user(n):
    return f"inlog{n:04d}@bench.example"


def prepare():
    """In a process of its own, with DATABASE_URL set: schema, static files, demo data."""
    common.prepare_portal()
    _login_users()
    writes.prepare(PASSWORD)
    print(json.dumps({"products": writes.products()}))


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


def hash_ceiling(seconds=3.0, cpu=False):
    """Argon2id verifications per second on one core, at the portal's parameters: per
    second of wall-clock time, or with ``cpu`` per second of CPU time of the thread."""
    hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    encoded = hasher.hash(PASSWORD)
    done, started, started_cpu = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - started < seconds:
        hasher.verify(encoded, PASSWORD)
        done += 1
    return done / ((time.thread_time() - started_cpu) if cpu else (time.perf_counter() - started))


def logins(port, seconds, server_pid):
    """Full login flows per second from LOGIN_CLIENTS threads, bounded in time; the
    threads take the LOGIN_USERS accounts in turn. Also the CPU seconds the client
    (this process) and the server used meanwhile."""
    done, errors, turn = [0], [0], [0]
    stop_at = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        while time.monotonic() < stop_at:
            with lock:
                n = turn[0] % LOGIN_USERS
                turn[0] += 1
            client = common.Client(port, address=f"10.0.{n // 250}.{n % 250 + 1}")  # each account its own address
            try:
                client.log_in(login_user(n), PASSWORD)
                status, _location, _body = client.get("/")
                ok = status == 200
            except Exception:  # noqa: BLE001 - counted as an error
                ok = False
            with lock:
                done[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(LOGIN_CLIENTS)]
    started, client_cpu, server_cpu = time.monotonic(), time.process_time(), common.cpu_seconds(server_pid)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "done": done[0], "per_second": done[0] / elapsed, "errors": errors[0], "seconds": elapsed,
        "client_cpu_seconds": time.process_time() - client_cpu, "server_cpu_seconds": common.cpu_seconds(server_pid) - server_cpu,
    }  # fmt: skip


def measure(database_url, ceiling):
    common.ensure_hey()
    env = common.environment(database_url, BENCH_BARE_VIEW="1")
    if database_url.startswith("postgres"):
        common.ensure_postgres_database(database_url)
    prepared = subprocess.run([sys.executable, "-m", "bench.suite", "--prepare"], cwd=common.ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
    if prepared.returncode:
        sys.exit(f"preparing the {common.engine_name(database_url)} run failed:\n{prepared.stderr}")
    products = json.loads(prepared.stdout.strip().splitlines()[-1])["products"]
    result = {"engine": common.engine_name(database_url), "servers": {}}
    for kind in SERVERS:
        result["servers"][kind] = measure_server(env, kind, ceiling)
    if REDIS_URL and common.redis_reachable(REDIS_URL):  # cache, sessions and rate limits in Redis
        with common.server({**env, "REDIS_URL": REDIS_URL}, workers=WORKERS, kind=SERVE) as (port, process):
            result["logins_with_redis"] = measure_logins(port, process, ceiling)
    if database_url.startswith("sqlite"):
        with tempfile.TemporaryFile("w+") as log:
            with common.server(env, workers=WORKERS, kind=SERVE, log=log) as (port, process):
                result["writes"] = writes.measure(env, port, process.pid, products, PASSWORD, WRITE_SECONDS)
            log.seek(0)
            result["writes"]["database_locked"] = log.read().count("database is locked")
        result["writes"]["server"] = SERVE
    return result


def measure_logins(port, process, ceiling):
    """Logins per second against the hash ceiling. The machine is shared and its load
    changes within seconds, so the logins are measured in ROUNDS slices with a slice of
    the hash ceiling before each and after the last, and the ratio taken against the
    mean of those (the ratio to the ceiling measured at the start is kept beside it)."""
    logins(port, 2, process.pid)  # warm-up
    ceilings, slices = [hash_ceiling(1)], []
    for _ in range(ROUNDS):
        slices.append(logins(port, SECONDS / ROUNDS, process.pid))
        ceilings.append(hash_ceiling(1))
    login = {key: sum(s[key] for s in slices) for key in ("done", "errors", "seconds", "client_cpu_seconds", "server_cpu_seconds")}
    login["per_second"] = login["done"] / login["seconds"]
    login["ceiling"] = sum(ceilings) / len(ceilings) * WORKERS
    login["ratio"] = login["per_second"] / login["ceiling"]
    # The same in CPU time, which other work on the machine does not change: logins per
    # CPU second of the server against verifications per CPU second, that is the share of
    # the server's work that is the one verification per login.
    login["cpu_ceiling"] = hash_ceiling(2, cpu=True)
    login["cpu_ratio"] = login["done"] / login["server_cpu_seconds"] / login["cpu_ceiling"]
    login["ratio_to_start_ceiling"] = login["per_second"] / (ceiling * WORKERS)
    login["client_cpu_share"] = login["client_cpu_seconds"] / (login["client_cpu_seconds"] + login["server_cpu_seconds"])
    return login


def measure_pages(port, cookies):
    """Requests per second of each page against the bare view, the pages taking turns in
    ROUNDS slices so that a change in the machine's load falls on all of them alike."""
    paths = {"bare view": "/bench/bare/", "home": "/", "Mijn account": "/mijn-account/", "order history": "/bestellen/bestellingen/"}
    samples = {name: ([], [], 0.0) for name in paths}
    for path in paths.values():
        common.hey(port, path, cookies, seconds=1)  # warm-up
    for _ in range(ROUNDS):
        for name, path in paths.items():
            values, statuses, elapsed = common.hey(port, path, cookies, seconds=SECONDS / ROUNDS)
            all_values, all_statuses, total = samples[name]
            samples[name] = (all_values + values, all_statuses + statuses, total + elapsed)
    pages = {
        name: {
            "rps": len(values) / elapsed, "p50": common.percentile(values, 50), "p95": common.percentile(values, 95),
            "errors": sum(1 for s in statuses if s != 200),
        }  # fmt: skip
        for name, (values, statuses, elapsed) in samples.items()
    }
    for figures in pages.values():
        figures["ratio"] = figures["rps"] / pages["bare view"]["rps"]
    return pages


def measure_server(env, kind, ceiling):
    result = {}
    with common.server(env, workers=WORKERS, kind=kind) as (port, process):
        result["logins"] = measure_logins(port, process, ceiling)
        result["pages"] = measure_pages(port, common.Client(port).log_in(USER, PASSWORD).cookies)
        result["memory_mb"] = common.resident_memory_mb(process.pid)
    return result


def report(runs, machine, ceiling):
    lines = [
        "# Benchmark suite",
        "",
        f"Machine: {machine['cores']} cores, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql']}, load average {machine['load_average']} at the end. Servers: {' and '.join(SERVERS)}, {WORKERS} sync workers each, DEBUG off, "
        f"{SECONDS:g} s per figure. Hash ceiling: {ceiling:.1f} Argon2id verifications/s on one core.",
        "",
        "| database | server | measure | figure | baseline | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for kind, figures in run["servers"].items():
            login = figures["logins"]
            lines.append(
                f"| {run['engine']} | {kind} | logins/s (full HTTP flow, {LOGIN_CLIENTS} clients, {LOGIN_USERS} accounts; "
                f"load client {login['client_cpu_share']:.0%} of the CPU used) | {login['per_second']:.1f} "
                f"| {login['ceiling']:.1f} (hash ceiling × {WORKERS}, measured beside it) | {login['ratio']:.2f} "
                f"({login['ratio_to_start_ceiling']:.2f} to the ceiling at the start; in CPU time {login['cpu_ratio']:.2f}) | ≥ 0.70 |"
            )
            bare = figures["pages"]["bare view"]
            for name in ("home", "Mijn account", "order history"):
                page = figures["pages"][name]
                lines.append(
                    f"| {run['engine']} | {kind} | {name} req/s (p95 {page['p95']:.0f} ms) | {page['rps']:.0f} "
                    f"| {bare['rps']:.0f} (bare view, p95 {bare['p95']:.0f} ms) | {page['ratio']:.2f} | ≥ 0.50 |"
                )
            lines.append(
                f"| {run['engine']} | {kind} | resident memory of the server ({WORKERS} workers + main process) "
                f"| {figures['memory_mb']:.0f} MB | | | ≤ 500 MB |"
            )
    for run in runs:
        if "logins_with_redis" in run:
            login = run["logins_with_redis"]
            lines.append(
                f"\nWith `REDIS_URL` set ({SERVE}; cache, sessions and rate limits in Redis), {run['engine']}: "
                f"{login['per_second']:.1f} logins/s against a hash ceiling of {login['ceiling']:.1f}: ratio {login['ratio']:.2f} "
                f"(in CPU time {login['cpu_ratio']:.2f}) "
                f"(load client {login['client_cpu_share']:.0%} of the CPU used)."
            )
    lines += ["", "Servers compared (requests per second of the same pages, summed; logins per second):", ""]
    for run in runs:
        totals = {kind: sum(p["rps"] for p in f["pages"].values()) for kind, f in run["servers"].items()}
        lines.append(
            f"- {run['engine']}: "
            + ", ".join(f"{kind} {totals[kind]:.0f} req/s and {f['logins']['per_second']:.1f} logins/s" for kind, f in run["servers"].items())
        )
    for run in runs:
        if "writes" in run:
            w = run["writes"]
            lines += [
                "",
                f"Write mix on {run['engine']} ({w['server']}, {writes.CLIENTS} concurrent locust clients, no pause, "
                f"{WRITE_SECONDS:g} s; one task in ten places an order or files a service request):",
                "",
                "| requests | count | per second | p50 ms | p95 ms | p99 ms | failures | target |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for kind, target in (("writes", "p99 < 1000 ms"), ("reads", "")):
                f = w[kind]
                lines.append(
                    f"| {kind} | {f['count']} | {f['per_second']:.1f} | {f['p50']:.0f} | {f['p95']:.0f} | {f['p99']:.0f} "
                    f"| {f['failures']} | {target} |"
                )
            lines.append(f"\n\"database is locked\" in the server's log: {w['database_locked']} times (target: 0). "
                         f"Locust used {w['client_cpu_share']:.0%} of the CPU the run took (server and locust); the server "
                         f"{w['server_cpu_seconds'] / (w['writes']['count'] + w['reads']['count']) * 1000:.1f} ms of CPU per request (the clients' logins included).")
    lines += ["", "Accountbeheer with 100,000 accounts is `make bench-accounts`."]
    return "\n".join(lines) + "\n"


def main():
    if "--prepare" in sys.argv:
        return prepare()
    ceiling = hash_ceiling()
    runs = [measure(common.SQLITE_URL, ceiling)]
    if "--sqlite-only" not in sys.argv and common.postgres_reachable(common.POSTGRES_URL):
        runs.append(measure(common.POSTGRES_URL, ceiling))
    machine = common.machine()
    common.write_report("suite", report(runs, machine, ceiling), {"machine": machine, "ceiling": ceiling, "runs": runs})
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
