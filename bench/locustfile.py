"""The SQLite write mix, run by locust headless (see bench/writes.py).

Each simulated client logs in as an account of its own (an orderer linked to one
location) and then, without pausing, does one task after another: nine in ten read a
page (home, the order history, the service requests), one in ten writes: it places an
order (puts a product in the cart, opens checkout, confirms) or files a service request
(opens the form, sends it). Every request with a method other than GET is a write.

The response times of every request are written to ``BENCH_WRITES_RAW`` (JSON) when
locust stops, so that the report can take percentiles over all writes together.
"""

import itertools
import json
import os
import re
import threading

from locust import HttpUser, constant, events, task

PASSWORD = os.environ.get("BENCH_WRITES_PASSWORD", "")
EMAIL = os.environ.get("BENCH_WRITES_EMAIL", "schrijver{:03d}@bench.example")
PRODUCTS = [int(pk) for pk in os.environ.get("BENCH_WRITES_PRODUCTS", "").split(",") if pk]
_numbers = itertools.count()
_lock = threading.Lock()
_samples = []


@events.request.add_listener
def _record(request_type, name, response_time, exception, **_kwargs):
    _samples.append((request_type, name, response_time, exception is None))


@events.quitting.add_listener
def _dump(environment, **_kwargs):
    path = os.environ.get("BENCH_WRITES_RAW")
    if path:
        with open(path, "w") as out:
            json.dump(_samples, out)


def field(html, name):
    """The value of a form field: an input's value, or a select's selected (else first
    non-empty) option."""
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    if match:
        return match.group(1)
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    if select is None:
        raise ValueError(f"no field {name}")
    options = re.findall(r'<option value="([^"]+)"( selected)?', select.group(0))
    chosen = [value for value, selected in options if selected] or [value for value, _ in options]
    return chosen[0]


class PortalUser(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        with _lock:
            self.number = next(_numbers)
        self.client.headers["X-Forwarded-For"] = f"10.1.0.{self.number + 1}"  # each client an address of its own
        page = self.get("/inloggen/", "login page")
        response = self.client.post(
            "/inloggen/", {"csrfmiddlewaretoken": field(page, "csrfmiddlewaretoken"), "login": EMAIL.format(self.number),
                           "password": PASSWORD}, name="login", allow_redirects=False,
        )  # fmt: skip
        self.cookies_over_http()
        if response.status_code != 302:
            raise RuntimeError(f"login of client {self.number} failed: {response.status_code}")

    def cookies_over_http(self):
        """The portal marks its cookies Secure (TLS ends at the load balancer); on
        loopback the client sends them over plain HTTP."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path, name):
        response = self.client.get(path, name=name)
        self.cookies_over_http()
        return response.text

    def post(self, path, data, name):
        data = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), **data}
        with self.client.post(path, data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{name}: status {response.status_code}")
        self.cookies_over_http()

    @task(30)
    def home(self):
        self.get("/", "read: home")

    @task(30)
    def orders(self):
        self.get("/bestellen/bestellingen/", "read: order history")

    @task(30)
    def service_requests(self):
        self.get("/serviceaanvragen/", "read: service requests")

    @task(5)
    def order(self):
        product = PRODUCTS[self.number % len(PRODUCTS)]
        self.post(f"/bestellen/winkelwagen/toevoegen/{product}/", {"quantity": "1"}, "write: add to cart")
        page = self.get("/bestellen/afrekenen/", "read: checkout")
        self.post(
            "/bestellen/afrekenen/",
            {name: field(page, name) for name in ("location", "department", "submission_key", "cart")}
            | {"reference": f"bench {self.number}"},
            "write: place order",
        )

    @task(5)
    def service_request(self):
        page = self.get("/serviceaanvragen/nieuw/", "read: service request form")
        self.post(
            "/serviceaanvragen/nieuw/",
            {name: field(page, name) for name in ("location", "department", "category")}
            | {"subject": "Pinautomaat geeft geen verbinding", "description": f"Melding van de benchmark, client {self.number}."},
            "write: service request",
        )
