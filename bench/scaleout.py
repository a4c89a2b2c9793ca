"""The scale-out drill: two app nodes and two mail workers behind HAProxy, on loopback.

    make scale-out            (or: python -m bench.scaleout)

Needs PostgreSQL (``SCALEOUT_POSTGRES_URL``, default
``postgres://postgres@127.0.0.1:5432/portal_scaleout``, recreated each run), Redis
(``SCALEOUT_REDIS_URL``, default ``redis://127.0.0.1:6379/14``, emptied each run) and
HAProxy from Debian's packages (installed when missing and run as root). Starts, on
loopback only, two gunicorn nodes (production settings, sessions and rate limits in
Redis) and two task workers against the same database, HAProxy in front of the nodes
(round robin, health checks on ``/health/``, a failed connection retried on the other
node), and checks:

1. a login made through one node is valid on the other;
2. the failed-login limits count across nodes (wrong passwords sent to each node in turn
   lock the account after the fifth, on both);
3. every mail is sent exactly once with two workers (invitations made through the
   balancer, counted by their Message-ID);
4. stopping one node under load loses no request (clients keep requesting through the
   balancer while one node is stopped) and the other keeps serving;
5. the periodic jobs ran once per period, not once per worker.

Prints the figures and writes bench/results/scale-out.md and .json; exits non-zero when a
check fails. ``SCALEOUT_SECONDS`` (default 8) is the length of the load of check 4.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes, policy

from bench import common

POSTGRES_URL = os.environ.get("SCALEOUT_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/portal_scaleout")
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/14")
SECONDS = float(os.environ.get("SCALEOUT_SECONDS", "8"))
PASSWORD = "welkom-demo-2026"  # the demo password (README)
ADMIN = "beheerder@vandijk.example"
EMPLOYEE = "medewerker@vandijk.example"
INVITATIONS = 30
RUN_DIR = common.ROOT / "var" / "scaleout"

HAPROXY_CONFIG = """
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    retries 3
    option redispatch
    retry-on conn-failure empty-response
    option forwardfor
frontend portal
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /health/
    http-check expect status 200
    server a 127.0.0.1:{a} check inter 500ms fall 2 rise 1
    server b 127.0.0.1:{b} check inter 500ms fall 2 rise 1
"""


def ensure_haproxy():
    if shutil.which("haproxy"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy"], check=False, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
    if not shutil.which("haproxy"):
        sys.exit("The scale-out drill needs HAProxy: apt-get install haproxy")


def sql(query, *params):
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        return conn.execute(query, params).fetchall()


class Cluster:
    """Two nodes, two workers and HAProxy; stopped on exit."""

    def __init__(self, env, log):
        self.env, self.log = env, log
        self.ports = {"a": common.free_port(), "b": common.free_port()}
        self.nodes = {name: self._node(port) for name, port in self.ports.items()}
        worker = [common.PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
                  "--sweep-interval", "2", "-v", "0"]  # fmt: skip
        self.workers = [subprocess.Popen(worker, cwd=common.ROOT, env=env, stdout=log, stderr=log) for _ in range(2)]
        for name, port in self.ports.items():
            common.wait_for_port(port, f"node {name}")
            for _ in range(4):  # each worker of the node answers once before the balancer checks it
                client(port).get("/health/")
        self.port = common.free_port()
        config = RUN_DIR / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=self.port, **self.ports))
        self.haproxy = subprocess.Popen(["haproxy", "-f", str(config), "-db"], stdout=log, stderr=log)
        common.wait_for_port(self.port, "HAProxy")
        time.sleep(2)  # both nodes seen healthy

    def _node(self, port):
        return subprocess.Popen(common.server_command("gunicorn", port, 2), cwd=common.ROOT, env=self.env, stderr=self.log)

    def stop(self):
        for process in [self.haproxy, *self.nodes.values(), *self.workers]:
            if process.poll() is None:
                process.terminate()
        for process in [self.haproxy, *self.nodes.values(), *self.workers]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def client(port, address="192.0.2.10"):
    return common.Client(port, address)


def logged_in_on(port, cookies):
    browser = client(port)
    browser.cookies = dict(cookies)
    status, location, _ = browser.get("/mijn-account/")
    return status == 200


def check_session_shared(cluster):
    """A login through the balancer is valid on either node."""
    browser = client(cluster.port).log_in(EMPLOYEE, PASSWORD)
    return {
        "node_a": logged_in_on(cluster.ports["a"], browser.cookies),
        "node_b": logged_in_on(cluster.ports["b"], browser.cookies),
    }


def _login_attempt(port, password, address):
    browser = client(port, address)
    _status, _location, page = browser.get("/inloggen/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    status, location, page = browser.request(
        "POST", "/inloggen/", {"csrfmiddlewaretoken": token, "login": ADMIN, "password": password}
    )
    return status == 302 and not (location or "").startswith("/inloggen"), b"Te veel mislukte inlogpogingen" in page


def check_failed_logins_across_nodes(cluster):
    """Five wrong passwords, to each node in turn (each from another address, so only the
    per-account rule can stop them), then the right one on each node."""
    nodes = [cluster.ports["a"], cluster.ports["b"]]
    for n in range(5):
        _login_attempt(nodes[n % 2], "verkeerd-wachtwoord", f"198.51.100.{n + 1}")
    results = {
        name: _login_attempt(port, PASSWORD, f"198.51.100.{50 + i}") for i, (name, port) in enumerate(cluster.ports.items())
    }
    return {f"node_{name}_refused": not ok and locked for name, (ok, locked) in results.items()}


def check_mail_once(cluster, mail_dir):
    """Invitations through the balancer; each mail delivered once with two workers."""
    admin = client(cluster.port, "192.0.2.20")
    admin.log_in("beheerder@jansen.example", PASSWORD)
    addresses = []
    for n in range(INVITATIONS):
        _status, _location, page = admin.get("/accountbeheer/nieuw/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        address = f"schaal{n:03d}@jansen.example"
        status, _location, _ = admin.request("POST", "/accountbeheer/nieuw/", {
            "csrfmiddlewaretoken": token, "full_name": f"Schaal {n}", "email": address, "role": "employee", "may_use_portal": "on",
        })  # fmt: skip
        if status == 302:
            addresses.append(address)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and sql("SELECT count(*) FROM core_outgoingmail")[0][0]:
        time.sleep(1)
    delivered = {}
    for path in mail_dir.glob("*"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = message_from_bytes(chunk.lstrip(b"\n"), policy=policy.default)
                delivered.setdefault(str(message["Message-ID"]), []).append(str(message["To"]))
    invitation_mails = {mid: to for mid, to in delivered.items() if any(a in t for t in to for a in addresses)}
    workers = sql(
        "SELECT count(DISTINCT worker_ids::text) FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
        "portal.core.mail.mail_deliver",
    )[0][0]
    return {
        "invitations": len(addresses),
        "invitation_mails": len(invitation_mails),
        "duplicates": sum(len(to) - 1 for to in delivered.values()),
        "left_in_outbox": sql("SELECT count(*) FROM core_outgoingmail")[0][0],
        "workers_that_sent": workers,
    }


def check_stop_a_node(cluster):
    """Clients request through the balancer while node a is stopped (SIGTERM: it finishes
    what it is doing and takes no more); every request must still be answered."""
    results = {"ok": 0, "failed": 0, "ok_after_stop": 0}
    lock = threading.Lock()
    stopped = threading.Event()
    deadline = time.monotonic() + SECONDS

    def load(n):
        browser = client(cluster.port, f"203.0.113.{n + 1}")
        while time.monotonic() < deadline:
            try:
                status, _location, _ = browser.get("/veelgestelde-vragen/")
                good = status == 200
            except OSError:
                good = False
                browser = client(cluster.port, f"203.0.113.{n + 1}")
            with lock:
                results["ok" if good else "failed"] += 1
                if good and stopped.is_set():
                    results["ok_after_stop"] += 1

    threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS / 3)
    cluster.nodes["a"].send_signal(signal.SIGTERM)
    stopped.set()
    for thread in threads:
        thread.join()
    results["node_a_stopped"] = cluster.nodes["a"].wait(timeout=30) is not None
    return results


def check_jobs_once():
    """Each job's runs per period: one, with two workers sweeping every two seconds."""
    rows = sql("SELECT name, period_start, count(*) FROM core_jobrun GROUP BY name, period_start")
    return {"jobs": len({row[0] for row in rows}), "runs_per_period_max": max((row[2] for row in rows), default=0)}


def report(figures):
    lines = ["# Scale-out drill: two nodes and two workers behind HAProxy", ""]
    for check, values in figures.items():
        lines.append(f"- **{check}**: " + ", ".join(f"{k} {v}" for k, v in values.items()))
    return "\n".join(lines) + "\n"


def failures(figures):
    problems = []
    if not all(figures["session shared"].values()):
        problems.append("a login was not valid on both nodes")
    if not all(figures["failed-login limits across nodes"].values()):
        problems.append("the failed-login limit did not hold across nodes")
    mail = figures["mail exactly once"]
    if mail["invitation_mails"] != mail["invitations"] or mail["duplicates"] or mail["left_in_outbox"]:
        problems.append("mail was lost, duplicated or left")
    stop = figures["stop a node under load"]
    if stop["failed"] or not stop["ok_after_stop"]:
        problems.append("requests were lost when a node stopped")
    if figures["jobs once"]["runs_per_period_max"] != 1:
        problems.append("a job ran more than once in a period")
    return problems


def main():
    if sys.argv[1:] == ["prepare"]:
        common.prepare_portal()
        return
    if not common.postgres_reachable(POSTGRES_URL) or not common.redis_reachable(REDIS_URL):
        sys.exit("The scale-out drill needs PostgreSQL and Redis (SCALEOUT_POSTGRES_URL, SCALEOUT_REDIS_URL).")
    ensure_haproxy()
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    common.recreate_postgres_database(POSTGRES_URL)
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    mail_dir = RUN_DIR / "mail"
    mail_dir.mkdir(parents=True)
    env = common.environment(
        POSTGRES_URL, REDIS_URL=REDIS_URL, EMAIL_URL=f"file:///{mail_dir.relative_to(common.ROOT)}", EMAIL_TIMEOUT="2",
        INVITE_RATE_LIMIT="100000/h/user", TASKS_BACKEND="django_tasks_db.DatabaseBackend", LOG_LEVEL="ERROR",
    )  # fmt: skip
    subprocess.run([common.PYTHON, "-m", "bench.scaleout", "prepare"], cwd=common.ROOT, env=env, check=True, timeout=600)
    figures = {}
    with open(RUN_DIR / "cluster.log", "wb") as log:
        cluster = Cluster(env, log)
        try:
            figures["session shared"] = check_session_shared(cluster)
            figures["failed-login limits across nodes"] = check_failed_logins_across_nodes(cluster)
            figures["mail exactly once"] = check_mail_once(cluster, mail_dir)
            figures["jobs once"] = check_jobs_once()
            figures["stop a node under load"] = check_stop_a_node(cluster)
        finally:
            cluster.stop()
    common.write_report("scale-out", report(figures), {"figures": figures, "machine": common.machine()})
    if problems := failures(figures):
        sys.exit("The scale-out drill failed: " + "; ".join(problems))


if __name__ == "__main__":
    main()
