"""What the benchmarks share: a database to run on, a production-style server on
loopback, logging in, the load generator hey, and measuring processes."""

import http.client
import json
import math
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
SECRET = "bench-only-secret-key-" + "x" * 40


def prepare_portal(after_migrate=None):
    """In a process of its own, with DATABASE_URL set: schema, cache table, static files
    and the demo data (``after_migrate`` runs between the schema and the rest)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if after_migrate is not None:
        after_migrate()
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("load_demo", allow_production=True, verbosity=0)


def engine_name(url):
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def environment(database_url, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "TESTING")}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        EMAIL_URL="dummy://",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        # The production rate limits apply; the clients, all on loopback, each send an
        # address of their own as a load balancer would (see Client).
        TRUSTED_PROXY_COUNT="1",
        TESTING="0",
    )
    env.update(extra)
    return env


def ensure_postgres_database(url):
    """Create the benchmark database on the server if it is not there (trust auth)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def recreate_postgres_database(url):
    """Drop the database (ending its connections) and create it empty."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def postgres_reachable(url):
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 - whatever the reason, there is no PostgreSQL to measure
        return False


def redis_reachable(url):
    try:
        import redis

        return redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception:  # noqa: BLE001 - whatever the reason, there is no Redis to use
        return False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS = ("gunicorn", "granian")


def server_command(kind, port, workers):
    """The command line of a production-style server: sync workers (one request at a time
    each; on two cores, threads in a worker gave a worse tail through GIL contention)."""
    if kind == "gunicorn":
        return [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
    if kind == "granian":
        return [PYTHON, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--blocking-threads", "1", "--no-ws", "--log-level", "warning",
                "config.wsgi:application"]  # fmt: skip
    raise ValueError(kind)


@contextmanager
def server(env, workers=4, kind="gunicorn", log=None):
    """A server on loopback with the production settings (its error output to the
    file ``log`` if given); stopped on exit."""
    port = free_port()
    process = subprocess.Popen(server_command(kind, port, workers), cwd=ROOT, env=env, stderr=log)
    try:
        wait_for_port(port, kind)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for_port(port, name="the server", seconds=30):
    """Wait until something listens on ``port`` of loopback."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not start")


class Client:
    """One keep-alive HTTP client with its own cookies, coming from ``address`` as the
    load balancer in front of the portal would say (X-Forwarded-For)."""

    def __init__(self, port, address="192.0.2.1"):
        self.port = port
        self.address = address
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {}

    def request(self, method, path, body=None):
        headers = {"Host": "127.0.0.1", "X-Forwarded-For": self.address,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}  # fmt: skip
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), data

    def get(self, path):
        return self.request("GET", path)

    def log_in(self, email, password, path="/inloggen/"):
        _status, _location, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, location, _ = self.request("POST", path, {"csrfmiddlewaretoken": token, "login": email, "password": password})
        if status == 302 and location == "/inloggen/code/":  # two-step login: the demo's app
            _status, _location, page = self.get(location)
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
            status, location, _ = self.request("POST", location, {"csrfmiddlewaretoken": token, "code": totp_code()})
        if status != 302 or location.startswith(path):
            raise RuntimeError(f"login failed: {status} {location}")
        return self


DEMO_TOTP_SECRET = "MIJNHARTINGBANKDEMOTOTPSECRET234"  # the README's, of staff and Fietsenmaker Jansen


def totp_code(secret=DEMO_TOTP_SECRET, at=None, step=30, digits=6):
    """The code an authenticator app shows (RFC 6238, HMAC-SHA1), computed here on its own
    rather than with the portal's code (the tests use it too)."""
    import base64
    import hmac
    import struct
    import time

    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def ensure_hey():
    """The load generator: hey, from Debian's packages (installed here when missing)."""
    if shutil.which("hey"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "hey"], check=False, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
    if not shutil.which("hey"):
        sys.exit("The benchmark needs the load generator hey: apt-get install hey")


def hey(port, path, cookies, *, clients=4, seconds=8.0, method="GET"):
    """``clients`` keep-alive connections request ``path`` for ``seconds`` (hey stops by
    itself); returns latencies in ms, the status codes and the time taken."""
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    command = ["hey", "-z", f"{seconds:g}s", "-c", str(clients), "-m", method, "-o", "csv",
               "-H", f"Cookie: {header}", f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    started = time.monotonic()
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    elapsed = time.monotonic() - started
    latencies, statuses = [], []
    for line in output.splitlines()[1:]:
        fields = line.split(",")
        if len(fields) >= 7:
            latencies.append(float(fields[0]) * 1000)
            statuses.append(int(fields[6]))
    return latencies, statuses, elapsed


def process_tree(pid):
    """A process and its children (a server's workers)."""
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *map(int, children)]


def resident_memory_mb(pid):
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as status:
                total += sum(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except FileNotFoundError:
            continue
    return total / 1024


def cpu_seconds(pid):
    """CPU time (user + system) used so far by a process and its children (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except FileNotFoundError:
            continue
    return total / ticks


def percentile(values, p):
    """The nearest-rank percentile: the smallest value with at least p % of the values at
    or below it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def machine():
    info = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        # Other work on the machine at the end of the run (1, 5 and 15 minute averages).
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - the report says so, whatever the reason
        info["postgresql"] = "not reachable"
    return info


def write_report(name, markdown, raw):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(markdown)
    (RESULTS / f"{name}.json").write_text(json.dumps(raw, indent=2, default=str))
    print(markdown)
    print(f"(written to bench/results/{name}.md and .json)")


# --- the stock peer (bench/peer/): a Django + django-allauth project served beside the portal ---

PEER = ROOT / "bench" / "peer"
PEER_LOGIN = "/accounts/login/"


def peer_url(database_url):
    """The peer's database beside the portal's: ``bench.sqlite3`` → ``bench-peer.sqlite3``,
    ``portal_bench`` → ``portal_bench_peer``."""
    if database_url.startswith("sqlite"):
        return database_url.replace(".sqlite3", "-peer.sqlite3")
    return database_url + "_peer"


def peer_environment(database_url, **extra):
    """The peer's environment: the portal's (production settings, the proxy count), its
    own settings module and database; ``bench`` importable for its seeding."""
    return environment(peer_url(database_url), DJANGO_SETTINGS_MODULE="peer.settings", PYTHONPATH=str(ROOT), **extra)


def prepare_peer(env, *arguments):
    """Schema, static files and rows of the peer (``manage.py peer_seed arguments``)."""
    if env["DATABASE_URL"].startswith("postgres"):
        ensure_postgres_database(env["DATABASE_URL"])
    for command in (["migrate", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"], ["peer_seed", *arguments]):
        done = subprocess.run([PYTHON, "manage.py", *command], cwd=PEER, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"preparing the peer ({' '.join(command[:1])}) failed:\n{done.stderr}")
    return done.stdout


@contextmanager
def peer_server(env, workers=2, kind="gunicorn", log=None):
    """The peer served as the portal is (same server, workers and production settings)."""
    port = free_port()
    command = [a.replace("config.wsgi", "peer.wsgi") for a in server_command(kind, port, workers)]
    process = subprocess.Popen(command, cwd=PEER, env=env, stderr=log)
    try:
        wait_for_port(port, f"the peer ({kind})")
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def count_queries(paths, email, password, login_path):
    """In a process with Django set up (the portal's or the peer's settings): the
    statements of a login through the test client (login page, credentials, the page
    after) and the statements and bytes of each of ``paths`` for the logged-in user."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_FORWARDED_FOR="192.0.2.250")
    counts = {}
    with CaptureQueriesContext(connection) as page:
        client.get(login_path)
    with CaptureQueriesContext(connection) as post:
        response = client.post(login_path, {"login": email, "password": password})
    assert response.status_code == 302, (login_path, response.status_code)
    with CaptureQueriesContext(connection) as after:
        client.get(response.url)
    counts["login"] = {
        "page": len(page),
        "credentials": len(post),
        "after": len(after),
        "total": len(page) + len(post) + len(after),
    }
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = {"queries": len(captured), "bytes": len(response.content)}
    return counts
