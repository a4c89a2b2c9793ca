"""What the telemetry costs a page: server CPU per request of Mijn account for a logged-in
user, with the request id, JSON access log and metrics middleware on and off, in one
process, taking turns in short slices in a shuffled order (so that whatever else the
machine does falls on every variant alike).

    python -m bench.telemetry_cost          (BENCH_REQUESTS per variant, default 2000)

Django's test client calls the whole middleware stack and the view, without a server or
a socket: the difference is the middleware's own work. The JSON lines are written to
/dev/null through the production formatter. The Content Security Policy's middleware is
measured the same way, on top.
"""

import logging
import os
import random
import statistics
import sys
import tempfile
import time

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
SLICES = int(os.environ.get("BENCH_SLICES", "40"))
TELEMETRY = {
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "portal.core.metrics.MetricsEndpointMiddleware",
    "portal.core.requestid.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
}
CSP = {"csp.middleware.CSPMiddleware"}


def setup():
    folder = tempfile.mkdtemp(prefix="telemetry-cost-")
    os.environ.update(TESTING="1", DEBUG="0", DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", LOG_FORMAT="json")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host is allowed

    call_command("migrate", verbosity=0)
    from portal.core.logs import JsonFormatter, RequestIdFilter

    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - for the whole run
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    logging.getLogger("portal.access").setLevel(logging.INFO)


def account():
    from portal.accounts.models import User
    from portal.organizations.models import Membership, Organization, Role, Status

    organization = Organization.objects.create(name="Bakkerij Meting", customer_number="M-1")
    user = User.objects.create_user("meting@bench.example", None, full_name="Meting")
    Membership.objects.create(user=user, organization=organization, role=Role.EMPLOYEE, status=Status.ACTIVE, may_use_portal=True)
    return user


def client_with(middleware, user):
    from django.test import Client, override_settings

    client = Client()
    client.force_login(user)
    with override_settings(MIDDLEWARE=middleware):
        assert client.get("/mijn-account/").status_code == 200  # builds its middleware chain now
    return client


def cpu_per_request(client, count):
    started = time.process_time()
    for _ in range(count):
        client.get("/mijn-account/")
    return (time.process_time() - started) / count


def alone(middleware, count=20_000):
    """CPU per request of these middleware alone, around a view that answers at once
    (a page's response, its view resolved): their own work, without the page's noise."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils.module_loading import import_string

    page = HttpResponse(b"x" * 20_000, content_type="text/html; charset=utf-8")

    def view(request):
        request.resolver_match = resolve("/mijn-account/")
        return page

    handler = view
    for path in reversed(middleware):
        handler = import_string(path)(handler)
    factory = RequestFactory()
    for _ in range(200):
        handler(factory.get("/mijn-account/"))
    started = time.process_time()
    for _ in range(count):  # a new request each time, as a server makes one
        for header in ("X-Request-ID", "Content-Security-Policy"):
            if header in page:
                del page[header]
        handler(factory.get("/mijn-account/"))
    return (time.process_time() - started) / count


def main():
    setup()
    from django.conf import settings

    user = account()
    full = list(settings.MIDDLEWARE)
    variants = {
        "without telemetry or CSP": [m for m in full if m not in TELEMETRY | CSP],
        "the same again (a second client: the noise)": [m for m in full if m not in TELEMETRY | CSP],
        "with telemetry (request id, JSON access log, metrics)": [m for m in full if m not in CSP],
        "with telemetry and CSP (as configured)": full,
    }
    clients = {name: client_with(middleware, user) for name, middleware in variants.items()}
    for client in clients.values():  # warm up
        cpu_per_request(client, 50)
    per_slice = {name: [] for name in clients}
    order = list(clients)
    for round_ in range(SLICES):
        random.Random(round_).shuffle(order)  # no variant always runs first
        for name in order:
            per_slice[name].append(cpu_per_request(clients[name], REQUESTS // SLICES))
    base_name = "without telemetry or CSP"
    base = per_slice[base_name]
    print(f"Mijn account, {REQUESTS} requests per variant in {SLICES} rounds of {REQUESTS // SLICES}; server CPU per request:")
    for name, values in per_slice.items():
        ratios = [value / b for value, b in zip(values, base, strict=True)]
        print(
            f"  {name:<55} median {statistics.median(values) * 1e6:6.0f} µs, total {sum(values) / sum(base):.3f}"
            f" of the baseline, median of the rounds' ratios {statistics.median(ratios):.3f}"
        )
    page = statistics.median(base)
    telemetry = [m for m in full if m in TELEMETRY]
    nothing = alone([])
    costs = {"telemetry": alone(telemetry) - nothing, "CSP": alone([m for m in full if m in CSP]) - nothing}
    print("The middleware alone (around a view that answers at once), CPU per request:")
    for name, cost in costs.items():
        print(f"  {name:<10} {cost * 1e6:6.1f} µs: {1 + cost / page:.3f} times the page's {page * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
