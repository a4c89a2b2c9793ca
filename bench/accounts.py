"""Benchmark of the Accountbeheer overview with 100,000 accounts in one organization.

    make bench-accounts            (or: python -m bench.accounts)

For SQLite and, when reachable, PostgreSQL: seeds the accounts (once; a second run
reuses them), counts the queries of the first page, a page deep in the list, a search, a
search for one address and a filter on a rare role (the administrators), then serves the
portal with gunicorn on loopback and measures each of them with four concurrent keep-alive
connections of the load generator hey: p50, p95 and the deep / first ratio.
Targets on a 2-core machine: p95 under 150 ms, ratio at most 1.5.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from enum import Enum

from bench import common

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "100000"))
OTHER_ACCOUNTS = int(os.environ.get("BENCH_OTHER_ACCOUNTS", "1000000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
ADMIN = "bench-admin@bench.example"
PEER_ADMIN = "peer-admin@bench.example"  # the peer's superuser (bench/peer/)
PASSWORD = "Bench-Wachtwoord-2026"
FIRST = [
    "Anna",
    "Bram",
    "Carla",
    "Daan",
    "Emma",
    "Fleur",
    "Gijs",
    "Hanna",
    "Ivo",
    "Julia",
    "Kees",
    "Lotte",
    "Milan",
    "Noor",
    "Otto",
    "Pien",
    "Ruben",
    "Sara",
    "Thijs",
    "Vera",
]
LAST = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
]
# Databases of their own (a million accounts would slow down preparing `make bench`).
SQLITE_URL = os.environ.get("BENCH_ACCOUNTS_SQLITE_URL", common.SQLITE_URL.replace("bench.sqlite3", "bench-accounts.sqlite3"))
POSTGRES_URL = os.environ.get("BENCH_ACCOUNTS_POSTGRES_URL", common.POSTGRES_URL + "_accounts")
SEARCH = "Mulder"  # a surname: about one account in twenty
SEARCH_ONE = f"medewerker{ACCOUNTS * 42 // 100 + 24:07d}"  # one person's address


# --- in a process of its own, with DATABASE_URL set ------------------------------------------


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _insert(model, columns, rows):
    """Insert ``rows`` (tuples of the ``columns``' values, ids included) in one go: COPY on
    PostgreSQL, executemany on SQLite, each in batches. Other columns take their
    field's default; values are prepared by their field as the ORM would."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    fields = model._meta.concrete_fields
    given = [model._meta.get_field(c) for c in columns]
    constants = {}
    for f in fields:
        if f.name not in columns:
            value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            value = f.get_db_prep_save(value, connection)
            constants[f.attname] = value.value if isinstance(value, Enum) else value
    names = [f.column for f in given] + [model._meta.get_field(a).column for a in constants]
    constant_values = tuple(constants.values())
    varying = [i for i, f in enumerate(given) if f.get_internal_type() in ("DateTimeField", "DecimalField")]

    def prepared(row):
        row = list(row)
        for i in varying:
            row[i] = given[i].get_db_prep_save(row[i], connection)
        return (*row, *constant_values)

    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    batch = []

    def flush():
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                with connection.cursor() as cursor:
                    cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})", batch)
        batch.clear()

    for row in rows:
        batch.append(prepared(row))
        if len(batch) >= 50_000:
            flush()
    if batch:
        flush()


def _next_id(model):
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _seed_organization(name, number, count, prefix, admin=False):
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.accounts.models import User, search_key
    from portal.locations.models import Location, LocationLink
    from portal.organizations.models import Membership, Organization, Role, Status

    organization, _ = Organization.objects.get_or_create(customer_number=number, defaults={"name": name})
    existing = Membership.objects.filter(organization=organization).count()
    locations = [
        Location.objects.get_or_create(organization=organization, code=f"L{n}", defaults={"name": f"Vestiging {n}"})[0]
        for n in range(1, 4)
    ]
    if admin and not User.objects.filter(email=ADMIN).exists():
        user = User.objects.create_user(ADMIN, PASSWORD, full_name="Bench Beheerder")
        membership = Membership.objects.create(
            user=user, organization=organization, role=Role.ADMINISTRATOR, status=Status.ACTIVE, may_order=True
        )
        LocationLink.objects.create(membership=membership, location=locations[0])
        existing += 1
    if existing >= count:
        return organization
    rng = random.Random(number)
    now = timezone.now()
    numbers = range(existing, count)
    people = []
    for n in numbers:
        email, full_name = f"{prefix}{n:07d}@bench.example", f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        last_login = None if n % 3 == 0 else now - timezone.timedelta(minutes=rng.randrange(600_000))
        people.append((email, full_name, last_login))
    _drop_search_triggers()
    with transaction.atomic():  # all or nothing, so that a second run counts what is there
        first_user, first_membership, first_link = _next_id(User), _next_id(Membership), _next_id(LocationLink)
        _insert(
            User, ["id", "email", "full_name", "search_text", "password", "organization", "last_login"],
            ((first_user + i, email, full_name, search_key(full_name, email), "!", organization.pk, last_login)
             for i, (email, full_name, last_login) in enumerate(people)),
        )  # fmt: skip
        _insert(
            Membership, ["id", "user", "organization", "status", "may_order"],
            ((first_membership + i, first_user + i, organization.pk, (Status.ACTIVE if n % 10 else Status.DEACTIVATED).value, n % 2 == 0)
             for i, n in enumerate(numbers)),
        )  # fmt: skip
        _insert(
            LocationLink, ["id", "membership", "location"],
            ((first_link + i, first_membership + i, locations[n % 3].pk) for i, n in enumerate(numbers)),
        )  # fmt: skip
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [User, Membership, LocationLink]):
                cursor.execute(statement)
    return organization


def _drop_search_triggers():
    """On SQLite, without the triggers that add each new user to the search's trigram index
    (accounts.search) one by one: seeding a million users through them took more than a
    quarter of an hour, where building the index at once afterwards takes seconds."""
    from django.db import connection

    from portal.accounts import search

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for name in search.TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def seed():
    from django.db import connection

    from portal.accounts import search

    started = time.monotonic()
    organization = _seed_organization("Bench Groothandel B.V.", "BENCH-1", ACCOUNTS, "medewerker", admin=True)
    if OTHER_ACCOUNTS:
        _seed_organization("Bench Overige Klanten", "BENCH-2", OTHER_ACCOUNTS, "ander")
    if search.repair():  # the triggers back, the index built at once; the counts its search chooses by
        search.refresh_counts()
    with connection.cursor() as cursor:
        # Fresh planner statistics, as autovacuum keeps them on a running PostgreSQL
        # (VACUUM also flushes the trigram index's pending list).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return organization, time.monotonic() - started


def paths_and_queries():
    """The three pages to measure, and the number of queries each makes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.accounts.models import User
    from portal.organizations import overview
    from portal.organizations.models import Membership

    admin = User.objects.get(email=ADMIN)
    queryset = overview.filtered(Membership.objects.visible_to(admin))
    sort = overview.SORTS[overview.DEFAULT_SORT]
    total = queryset.count()
    deep_row = queryset.order_by(*overview._ordering(sort, True)).values(*overview.ROW_FIELDS)[total - 60]
    paths = {
        "first page": "/accountbeheer/",
        "deep page": "/accountbeheer/?na=" + overview.encode_cursor(sort, deep_row),
        "search": f"/accountbeheer/?q={SEARCH}",
        "search one": f"/accountbeheer/?q={SEARCH_ONE}",
        # A rare value of a filter on the accounts: the one administrator among 100,000.
        "administrators": "/accountbeheer/?role=administrator",
    }
    client = Client()
    client.force_login(admin)
    queries = {}
    for name, path in paths.items():
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        assert b'name="ids"' in response.content, f"{name} shows no rows"
        queries[name] = len(captured)
    return paths, queries, total


def run_one(database_url):
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    _organization, seed_seconds = seed()
    paths, queries, total = paths_and_queries()
    from portal.accounts.models import User

    print(json.dumps({"paths": paths, "queries": queries, "accounts": total, "all_accounts": User.objects.count(),
                      "seed_seconds": seed_seconds}))  # fmt: skip


# --- the orchestrating process ------------------------------------------------------------------


ROUNDS = 2  # each page in this many slices, taking turns with the peer's
PEER_PAGES = {  # Django admin's user changelist on the peer, filtered to the group of ACCOUNTS users
    "first page": "/admin/auth/user/?groups__id__exact={group}",
    "deep page": "/admin/auth/user/?groups__id__exact={group}&p={last}",
    "search one": "/admin/auth/user/?groups__id__exact={group}&q={one}",
}


def _slice(port, pid, path, cookies, seconds):
    cpu = common.cpu_seconds(pid)
    values, statuses, elapsed = common.hey(port, path, cookies, seconds=seconds)
    return values, statuses, elapsed, common.cpu_seconds(pid) - cpu


def _figures(values, statuses, elapsed, cpu):
    return {
        # Server CPU per request: what other work on the machine does not change.
        "cpu_ms": cpu / max(len(values), 1) * 1000,
        "requests": len(values),
        "errors": sum(1 for status in statuses if status != 200),
        "rps": len(values) / elapsed,
        "p50": common.percentile(values, 50),
        "p95": common.percentile(values, 95),
    }


def measure(database_url):
    common.ensure_hey()
    env = common.environment(database_url)
    if database_url.startswith("postgres"):
        common.ensure_postgres_database(database_url)
    prepared = subprocess.run(
        [sys.executable, "-m", "bench.accounts", "--one", database_url],
        cwd=common.ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if prepared.returncode:
        sys.exit(f"preparing the {common.engine_name(database_url)} run failed:\n{prepared.stderr}")
    prepared = json.loads(prepared.stdout.strip().splitlines()[-1])
    peer_env = common.peer_environment(database_url)
    seeded = common.prepare_peer(
        peer_env, "--password", PASSWORD, "--group-users", str(ACCOUNTS), "--other-users", str(OTHER_ACCOUNTS)
    )
    group = json.loads(seeded.strip().splitlines()[-1])["group"]
    one = SEARCH_ONE  # the same person's address on both (peer_seed names them alike)
    peer_paths = {name: path.format(group=group, last=-(-ACCOUNTS // 100), one=one) for name, path in PEER_PAGES.items()}
    results, samples = {}, {}
    with common.server(env) as (port, process), common.peer_server(peer_env, workers=4) as (peer_port, peer_process):
        cookies = common.Client(port).log_in(ADMIN, PASSWORD).cookies
        peer_cookies = common.Client(peer_port).log_in(PEER_ADMIN, PASSWORD, common.PEER_LOGIN).cookies
        sides = {
            "portal": (port, process.pid, cookies, prepared["paths"]),
            "peer": (peer_port, peer_process.pid, peer_cookies, peer_paths),
        }
        for side, (p, _pid, c, paths) in sides.items():
            for path in paths.values():
                common.hey(p, path, c, seconds=1.5)  # warm-up
        for _ in range(ROUNDS):
            for name in prepared["paths"]:
                for side, (p, pid, c, paths) in sides.items():
                    if name not in paths:
                        continue
                    got = _slice(p, pid, paths[name], c, SECONDS / ROUNDS)
                    before = samples.get((side, name), ([], [], 0.0, 0.0))
                    samples[side, name] = (before[0] + got[0], before[1] + got[1], before[2] + got[2], before[3] + got[3])
    for name in prepared["paths"]:
        results[name] = {**_figures(*samples["portal", name]), "queries": prepared["queries"][name]}
        if ("peer", name) in samples:
            peer = results[name]["peer"] = _figures(*samples["peer", name])
            results[name]["vs_peer"] = {
                "p95": results[name]["p95"] / peer["p95"],
                "cpu": results[name]["cpu_ms"] / peer["cpu_ms"],
            }
    return {"engine": common.engine_name(database_url), **prepared, "peer_paths": peer_paths, "results": results}


def report(runs, machine):
    lines = [
        "# Accountbeheer benchmark",
        "",
        f"Machine: {machine['cores']} cores, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql']}, load average {machine['load_average']} at the end. Server: gunicorn, 4 sync workers, DEBUG off. "
        f"Load: hey, 4 concurrent keep-alive connections, {SECONDS:g} s per page. Accounts in the database: "
        + ", ".join(f"{run['engine']} {run['all_accounts']:,}" for run in runs)
        + ".",
        "",
        "| database | accounts in the organization | page | queries | p50 ms | p95 ms | req/s | server CPU ms per request | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for name, r in run["results"].items():
            lines.append(
                f"| {run['engine']} | {run['accounts']:,} | {name} | {r['queries']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['rps']:.0f} "
                f"| {r['cpu_ms']:.1f} | {r['errors']} |"
            )
    lines += [
        "",
        "| database | deep / first (p50) | deep / first (p95) | worst p95 ms | target p95 < 150 ms, ratio ≤ 1.5 |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        r = run["results"]
        ratio50 = r["deep page"]["p50"] / r["first page"]["p50"]
        ratio95 = r["deep page"]["p95"] / r["first page"]["p95"]
        worst = max(x["p95"] for x in r.values())
        ok = "met" if worst < 150 and ratio95 <= 1.5 else "NOT met"
        run["ratios"] = {"deep_first_p50": ratio50, "deep_first_p95": ratio95, "worst_p95": worst, "targets": ok}
        lines.append(f"| {run['engine']} | {ratio50:.2f} | {ratio95:.2f} | {worst:.1f} | {ok} |")
    lines += [
        "",
        "Against the stock peer's Django admin user changelist filtered to a group of the same number of users "
        f"(bench/peer/, gunicorn with 4 workers, slices taking turns, {ROUNDS} per page), portal ÷ peer:",
        "",
        "| database | page | portal p95 ms | admin p95 ms | p95 ratio | portal CPU ms | admin CPU ms | CPU ratio | target |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    searches = []
    for run in runs:
        r = run["results"]
        for name, figures in r.items():
            if "peer" not in figures:
                continue
            peer, vs = figures["peer"], figures["vs_peer"]
            target = "p95 ≤ 0.25" if name == "first page" else ""
            verdict = ("met" if vs["p95"] <= 0.25 else "NOT met") if target else ""
            lines.append(
                f"| {run['engine']} | {name} | {figures['p95']:.1f} | {peer['p95']:.1f} | **{vs['p95']:.3f}** | {figures['cpu_ms']:.1f} "
                f"| {peer['cpu_ms']:.1f} | {vs['cpu']:.3f} | {target} {verdict} |"
            )
        search = r["search one"]["cpu_ms"] / r["first page"]["cpu_ms"]
        run["ratios"]["search_one_first_cpu"] = search
        searches.append(f"- {run['engine']}: {search:.2f} ({'met' if search <= 1.5 else 'NOT met'})")
    lines += ["", "A search for one address, in server CPU per request, × the first page's (target ≤ 1.5):", "", *searches]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.one:
        return run_one(args.one)
    runs = [measure(SQLITE_URL)]
    if not args.sqlite_only and common.postgres_reachable(POSTGRES_URL):
        runs.append(measure(POSTGRES_URL))
    machine = common.machine()
    markdown = report(runs, machine)
    common.write_report("accounts", markdown, {"machine": machine, "runs": runs})


if __name__ == "__main__":
    main()
