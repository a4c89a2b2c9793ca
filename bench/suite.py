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
    """In a process of its own, with DATABASE_URL set: schema, static files, demo data;
    the rows the orderer's pages show, written for the peer (``sys.argv[-1]``)."""
    common.prepare_portal()
    _login_users()
    writes.prepare(PASSWORD)
    with open(sys.argv[-1], "w") as f:
        json.dump(peer_rows(USER), f)
    queries = common.count_queries({name: paths[0] for name, paths in PAGES.items()}, USER, PASSWORD, "/inloggen/")
    print(json.dumps({"products": writes.products(), "queries": queries}))


def peer_rows(email):
    """What the portal's home, Mijn account and order history read for ``email``, for the
    peer to make the same rows (bench/peer/peer/management/commands/peer_seed.py)."""
    from portal.accounts.models import User
    from portal.changes.models import ChangeRequest
    from portal.locations.models import Location
    from portal.ordering.models import CartItem, Order
    from portal.service.models import ServiceRequest

    user = User.objects.get(email=email)
    linked = set(Location.objects.visible_to(user).values_list("pk", flat=True))
    locations = Location.objects.filter(organization_id=user.organization_id).prefetch_related("addresses", "departments")
    orders = Order.objects.visible_to(user).select_related("placed_by")
    return {
        "orderer": email,
        "users": {o.placed_by.email: o.placed_by.full_name for o in orders} | {email: user.full_name},
        "locations": [
            {"code": str(loc.pk), "name": loc.name, "linked": loc.pk in linked,
             "addresses": [{"kind": a.kind, "street": a.street, "postal_code": a.postal_code, "city": a.city} for a in loc.addresses.all()],
             "departments": [d.name for d in loc.departments.all()]}
            for loc in locations
        ],
        "orders": [
            {"number": o.number, "status": o.status, "location": str(o.location_id), "placed_by": o.placed_by.email,
             "subtotal": str(o.subtotal), "total": str(o.total), "reference": o.reference, "created_at": o.created_at.isoformat()}
            for o in orders
        ],
        "service_requests": [
            {"reference": r.reference, "subject": r.subject, "status": r.status, "location": str(r.location_id), "updated_at": r.updated_at.isoformat()}
            for r in ServiceRequest.objects.visible_to(user)
        ],
        "change_requests": [
            {"reference": c.reference, "kind": c.kind, "status": c.status, "updated_at": c.updated_at.isoformat()}
            for c in ChangeRequest.objects.filter(created_by=user)
        ],
        "cart_items": CartItem.objects.filter(membership__user=user).count(),
    }  # fmt: skip


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


def hash_rates(seconds):
    """Argon2id verifications per second of wall-clock time and per second of CPU time
    of the thread, measured together."""
    hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    encoded = hasher.hash(PASSWORD)
    done, started, started_cpu = 0, time.perf_counter(), time.thread_time()
    while time.perf_counter() - started < seconds:
        hasher.verify(encoded, PASSWORD)
        done += 1
    return done / (time.perf_counter() - started), done / (time.thread_time() - started_cpu)


def logins(port, seconds, server_pid, login_path="/inloggen/"):
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
                client.log_in(login_user(n), PASSWORD, login_path)
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
    rows = common.ROOT / "var" / "bench-peer-rows.json"
    rows.parent.mkdir(exist_ok=True)
    prepared = subprocess.run([sys.executable, "-m", "bench.suite", "--prepare", str(rows)], cwd=common.ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
    if prepared.returncode:
        sys.exit(f"preparing the {common.engine_name(database_url)} run failed:\n{prepared.stderr}")
    prepared = json.loads(prepared.stdout.strip().splitlines()[-1])
    products = prepared["products"]
    peer_env = common.peer_environment(database_url)
    common.prepare_peer(peer_env, "--rows", str(rows), "--password", PASSWORD, "--login-users", str(LOGIN_USERS))
    peer_queries = subprocess.run(
        [sys.executable, "manage.py", "peer_queries", USER, PASSWORD, json.dumps({name: paths[1] for name, paths in PAGES.items()})],
        cwd=common.PEER, env=peer_env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = {"engine": common.engine_name(database_url), "servers": {},
              "queries": {"portal": prepared["queries"], "peer": json.loads(peer_queries.strip().splitlines()[-1])}}  # fmt: skip
    for kind in SERVERS:
        result["servers"][kind] = measure_server(env, peer_env, kind, ceiling)
    if REDIS_URL and common.redis_reachable(REDIS_URL):  # cache, sessions and rate limits in Redis
        with common.server({**env, "REDIS_URL": REDIS_URL}, workers=WORKERS, kind=SERVE) as (port, process):
            result["logins_with_redis"] = measure_logins(port, process, ceiling)
    if database_url.startswith("sqlite") and WRITE_SECONDS > 0:
        with tempfile.TemporaryFile("w+") as log:
            with common.server(env, workers=WORKERS, kind=SERVE, log=log) as (port, process):
                result["writes"] = writes.measure(env, port, process.pid, products, PASSWORD, WRITE_SECONDS)
            log.seek(0)
            result["writes"]["database_locked"] = log.read().count("database is locked")
        result["writes"]["server"] = SERVE
    return result


def _summed(slices):
    total = {
        key: sum(s[key] for s in slices) for key in ("done", "errors", "seconds", "client_cpu_seconds", "server_cpu_seconds")
    }
    total["per_second"] = total["done"] / total["seconds"]
    total["cpu_ms"] = total["server_cpu_seconds"] / max(total["done"], 1) * 1000
    total["client_cpu_share"] = total["client_cpu_seconds"] / (total["client_cpu_seconds"] + total["server_cpu_seconds"])
    return total


def measure_logins(port, process, ceiling, peer=None):
    """Logins per second against the hash ceiling. The machine is shared and its load
    changes within seconds, so the logins are measured in ROUNDS slices with a slice of
    the hash ceiling before each and after the last, and the ratio taken against the
    mean of those (the ratio to the ceiling measured at the start is kept beside it).
    With ``peer`` (its port and process), the peer's logins take turns with the portal's,
    slice by slice, so that both see the same machine."""
    logins(port, 2, process.pid)  # warm-up
    if peer:
        logins(peer[0], 2, peer[1].pid, common.PEER_LOGIN)
    rates, slices, peer_slices = [hash_rates(1)], [], []
    for _ in range(ROUNDS):
        slices.append(logins(port, SECONDS / ROUNDS, process.pid))
        if peer:
            peer_slices.append(logins(peer[0], SECONDS / ROUNDS, peer[1].pid, common.PEER_LOGIN))
        rates.append(hash_rates(1))
    login = _summed(slices)
    login["ceiling"] = sum(wall for wall, _cpu in rates) / len(rates) * WORKERS
    login["ratio"] = login["per_second"] / login["ceiling"]
    # The same in CPU time, which other work on the machine changes less: logins per CPU
    # second of the server against verifications per CPU second (measured beside the
    # ceiling, between the slices: the machine's speed drifts within a run), that is the
    # share of the server's work that is the one verification per login.
    login["cpu_ceiling"] = sum(cpu for _wall, cpu in rates) / len(rates)
    login["hash_cpu_ms"] = 1000 / login["cpu_ceiling"]
    login["cpu_ratio"] = login["done"] / login["server_cpu_seconds"] / login["cpu_ceiling"]
    login["ratio_to_start_ceiling"] = login["per_second"] / (ceiling * WORKERS)
    if peer:
        other = login["peer"] = _summed(peer_slices)
        other["cpu_ratio"] = other["done"] / other["server_cpu_seconds"] / login["cpu_ceiling"]
        login["vs_peer"] = {"cpu": login["cpu_ms"] / other["cpu_ms"], "wall": other["per_second"] / login["per_second"]}
    return login


PAGES = {  # name: (the portal's path, the peer's)
    "bare view": ("/bench/bare/", "/bare/"),
    "home": ("/", "/"),
    "Mijn account": ("/mijn-account/", "/account/"),
    "order history": ("/bestellen/bestellingen/", "/orders/"),
}


def _hey_slice(port, pid, path, cookies, seconds):
    cpu = common.cpu_seconds(pid)
    values, statuses, elapsed = common.hey(port, path, cookies, seconds=seconds)
    return values, statuses, elapsed, common.cpu_seconds(pid) - cpu


def _page_figures(values, statuses, elapsed, cpu):
    return {
        "rps": len(values) / elapsed, "p50": common.percentile(values, 50), "p95": common.percentile(values, 95),
        "errors": sum(1 for s in statuses if s != 200), "cpu_ms": cpu / max(len(values), 1) * 1000, "requests": len(values),
    }  # fmt: skip


def measure_pages(port, pid, cookies, peer=None):
    """Requests per second of each page against the bare view, and with ``peer`` (port,
    pid, cookies) against the peer's matching page: all of them take turns in ROUNDS
    slices so that a change in the machine's load falls on all of them alike."""
    sides = {"portal": (port, pid, cookies, 0)} | ({"peer": (*peer, 1)} if peer else {})
    samples = {(side, name): ([], [], 0.0, 0.0) for side in sides for name in PAGES}
    for side, (p, _pid, c, i) in sides.items():
        for paths in PAGES.values():
            common.hey(p, paths[i], c, seconds=1)  # warm-up
    for _ in range(ROUNDS):
        for name, paths in PAGES.items():
            for side, (p, server_pid, c, i) in sides.items():
                values, statuses, elapsed, cpu = _hey_slice(p, server_pid, paths[i], c, SECONDS / ROUNDS)
                v, st, e, cp = samples[side, name]
                samples[side, name] = (v + values, st + statuses, e + elapsed, cp + cpu)
    pages = {name: _page_figures(*samples["portal", name]) for name in PAGES}
    for name, figures in pages.items():
        figures["ratio"] = figures["rps"] / pages["bare view"]["rps"]
        if peer:
            other = figures["peer"] = _page_figures(*samples["peer", name])
            figures["vs_peer"] = {"cpu": figures["cpu_ms"] / other["cpu_ms"], "wall": other["rps"] / figures["rps"],
                                  "p50": figures["p50"] / other["p50"], "p95": figures["p95"] / other["p95"]}  # fmt: skip
    return pages


def measure_server(env, peer_env, kind, ceiling):
    result = {}
    with common.server(env, workers=WORKERS, kind=kind) as (port, process), \
            common.peer_server(peer_env, workers=WORKERS, kind=kind) as (peer_port, peer_process):  # fmt: skip
        result["logins"] = measure_logins(port, process, ceiling, peer=(peer_port, peer_process))
        peer_cookies = common.Client(peer_port).log_in(USER, PASSWORD, common.PEER_LOGIN).cookies
        cookies = common.Client(port).log_in(USER, PASSWORD).cookies
        result["pages"] = measure_pages(port, process.pid, cookies, peer=(peer_port, peer_process.pid, peer_cookies))
        result["memory_mb"] = common.resident_memory_mb(process.pid)
        result["peer_memory_mb"] = common.resident_memory_mb(peer_process.pid)
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
    lines += peer_table(runs)
    lines += ["", "Servers compared (requests per second of the same pages, summed; logins per second):", ""]
    for run in runs:
        totals = {kind: sum(p["rps"] for p in f["pages"].values()) for kind, f in run["servers"].items()}
        lines.append(
            f"- {run['engine']}: "
            + ", ".join(
                f"{kind} {totals[kind]:.0f} req/s and {f['logins']['per_second']:.1f} logins/s"
                for kind, f in run["servers"].items()
            )
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
            lines.append(
                f'\n"database is locked" in the server\'s log: {w["database_locked"]} times (target: 0). '
                f"Locust used {w['client_cpu_share']:.0%} of the CPU the run took (server and locust); the server "
                f"{w['server_cpu_seconds'] / (w['writes']['count'] + w['reads']['count']) * 1000:.1f} ms of CPU per request (the clients' logins included)."
            )
    lines += ["", "Accountbeheer with 100,000 accounts is `make bench-accounts`."]
    return "\n".join(lines) + "\n"


LOGIN_CPU_TARGET = {"SQLite": 0.65, "PostgreSQL": 0.60}


def peer_table(runs):
    """Every figure as portal ÷ peer (bench/peer/, served beside the portal, slices taking
    turns): server CPU per request, which other work on the machine does not change, and
    wall clock."""
    lines = [
        "",
        "Against the stock peer (Django + django-allauth at the same versions, bench/peer/), portal ÷ peer from "
        "interleaved slices of the same run: server CPU per request (ms) and wall clock (time per login, or "
        "requests per second inverted, and p50):",
        "",
        "| database | server | measure | portal CPU ms | peer CPU ms | CPU ratio | wall ratio | p50 ratio | target | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for kind, figures in run["servers"].items():
            login = figures["logins"]
            if "vs_peer" not in login:
                continue
            ratio = login["vs_peer"]["cpu"]
            lines.append(
                f"| {run['engine']} | {kind} | login (login page, credentials, page after) | {login['cpu_ms']:.1f} | {login['peer']['cpu_ms']:.1f} "
                f"| **{ratio:.2f}** | {login['vs_peer']['wall']:.2f} | | ≤ 1.00 (stretch 0.90) | {'met' if ratio <= 1 else 'NOT met'} |"
            )
            target = LOGIN_CPU_TARGET.get(run["engine"], 0.65)
            lines.append(
                f"| {run['engine']} | {kind} | login CPU ratio (hash {login['hash_cpu_ms']:.1f} ms ÷ CPU per login): portal {login['cpu_ratio']:.2f}, "
                f"peer {login['peer']['cpu_ratio']:.2f} | | | | | | ≥ {target:.2f} | {'met' if login['cpu_ratio'] >= target else 'NOT met'} |"
            )
            for name, page in figures["pages"].items():
                vs = page["vs_peer"]
                target = "≤ 1.00" if name != "bare view" else ""
                verdict = ("met" if vs["cpu"] <= 1 else "NOT met") if target else ""
                lines.append(
                    f"| {run['engine']} | {kind} | {name} | {page['cpu_ms']:.2f} | {page['peer']['cpu_ms']:.2f} | **{vs['cpu']:.2f}** "
                    f"| {vs['wall']:.2f} | {vs['p50']:.2f} | {target} | {verdict} |"
                )
    lines += ["", "Statements (through Django's test client, the same user) and bytes, portal / peer:", ""]
    for run in runs:
        portal, peer = run["queries"]["portal"], run["queries"]["peer"]
        parts = [f"login {portal['login']['total']} / {peer['login']['total']} "
                 f"(page {portal['login']['page']}/{peer['login']['page']}, credentials {portal['login']['credentials']}/{peer['login']['credentials']}, "
                 f"page after {portal['login']['after']}/{peer['login']['after']})"]  # fmt: skip
        parts += [
            f"{name} {portal[name]['queries']} / {peer[name]['queries']} ({portal[name]['bytes']:,} / {peer[name]['bytes']:,} bytes)"
            for name in PAGES
        ]
        lines.append(f"- {run['engine']}: " + "; ".join(parts))
    return lines


def main():
    if "--prepare" in sys.argv:
        return prepare()
    ceiling, _per_cpu_second = hash_rates(3.0)
    runs = [measure(common.SQLITE_URL, ceiling)]
    if "--sqlite-only" not in sys.argv and common.postgres_reachable(common.POSTGRES_URL):
        runs.append(measure(common.POSTGRES_URL, ceiling))
    machine = common.machine()
    common.write_report("suite", report(runs, machine, ceiling), {"machine": machine, "ceiling": ceiling, "runs": runs})
    print(json.dumps({"ok": True}))


if __name__ == "__main__":
    main()
