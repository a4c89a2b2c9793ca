"""The SQLite write mix (part of ``make bench``): orders, service requests and page reads,
one task in ten a write, from 50 concurrent clients driven by locust headless
(bench/locustfile.py) against the server on loopback, bounded in time.

Reported: the writes per second, the p50/p95/p99 of the write requests and of the reads,
the errors, and how often the server logged "database is locked" (target: never, and a
p99 of the writes under one second).
"""

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench import common

CLIENTS = int(os.environ.get("BENCH_WRITE_CLIENTS", "50"))
EMAIL = "schrijver{:03d}@bench.example"


def prepare(password):
    """In the preparing process (Django set up): an organization with one location
    and CLIENTS orderers linked to it; earlier runs' orders, carts and requests of
    these accounts are removed so every run starts alike."""
    from django.contrib.auth.hashers import make_password

    from portal.accounts.models import User
    from portal.locations.models import Address, AddressKind, Department, Location, LocationLink
    from portal.ordering.models import CartItem, Order
    from portal.organizations.models import Membership, Organization, Status
    from portal.service.models import ServiceRequest

    organization, _ = Organization.objects.get_or_create(
        customer_number="BENCH-WRITE", defaults={"name": "Bench Schrijvers B.V."}
    )
    location, created = Location.objects.get_or_create(organization=organization, code="S1", defaults={"name": "Winkel Centrum"})
    if created:
        Address.objects.create(
            location=location, kind=AddressKind.VISITING, street="Markt 1", postal_code="1234 AB", city="Utrecht"
        )
        Address.objects.create(
            location=location, kind=AddressKind.DELIVERY, street="Achterom 2", postal_code="1234 AC", city="Utrecht"
        )
        Department.objects.create(location=location, name="Kassa")
    encoded = make_password(password)
    for n in range(CLIENTS):
        user, created = User.objects.get_or_create(
            email=EMAIL.format(n), defaults={"full_name": f"Schrijver {n}", "password": encoded, "organization": organization}
        )
        if created:
            membership = Membership.objects.create(user=user, organization=organization, status=Status.ACTIVE, may_order=True)
            LocationLink.objects.create(membership=membership, location=location)
    Order.objects.filter(location=location).delete()
    ServiceRequest.objects.filter(location=location).delete()
    CartItem.objects.filter(membership__organization=organization).delete()


def products():
    """Products that are offered (for the orderers' carts)."""
    from portal.ordering.models import Product

    return list(Product.objects.offered().order_by("pk").values_list("pk", flat=True)[:10])


def measure(env, port, server_pid, product_pks, password, seconds):
    """Run locust against the server on ``port``; returns the figures."""
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "samples.json"
        locust_env = {
            **env, "BENCH_WRITES_RAW": str(raw), "BENCH_WRITES_EMAIL": EMAIL, "BENCH_WRITES_PASSWORD": password,
            "BENCH_WRITES_PRODUCTS": ",".join(map(str, product_pks)),
        }  # fmt: skip
        command = [sys.executable, "-m", "locust", "-f", str(common.ROOT / "bench" / "locustfile.py"), "--headless",
                   "--users", str(CLIENTS), "--spawn-rate", str(CLIENTS), "--run-time", f"{seconds:g}s",
                   "--host", f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10"]  # fmt: skip
        before, server_before = os.times(), common.cpu_seconds(server_pid)
        finished = subprocess.run(command, cwd=common.ROOT, env=locust_env, capture_output=True, text=True, timeout=seconds + 120)
        after, server_cpu = os.times(), common.cpu_seconds(server_pid) - server_before
        if not raw.exists():
            sys.exit(f"locust did not finish:\n{finished.stderr[-3000:]}")
        samples = json.loads(raw.read_text())
    client_cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return summarize(samples, seconds) | {
        "locust_cpu_seconds": client_cpu, "server_cpu_seconds": server_cpu, "client_cpu_share": client_cpu / (client_cpu + server_cpu),
    }  # fmt: skip


def summarize(samples, seconds):
    """Writes (every request not a GET, after the logins) and reads: count, rate,
    percentiles in ms, failures."""
    groups = {"writes": [], "reads": []}
    failures = {"writes": 0, "reads": 0}
    by_name = Counter()
    for method, name, ms, ok in samples:
        if name in ("login page", "login"):
            continue
        kind = "reads" if method == "GET" else "writes"
        groups[kind].append(ms)
        failures[kind] += not ok
        by_name[name] += 1
    result = {"requests_by_name": dict(by_name)}
    for kind, values in groups.items():
        result[kind] = {
            "count": len(values), "per_second": len(values) / seconds, "failures": failures[kind],
            "p50": common.percentile(values, 50), "p95": common.percentile(values, 95), "p99": common.percentile(values, 99),
        }  # fmt: skip
    return result
