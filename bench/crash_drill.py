"""The crash drill: nothing lost, nothing half-done, while processes are killed.

    make crash-drill            (or: python -m bench.crash_drill)

For SQLite and, when reachable, PostgreSQL: the production-style server (gunicorn, two
sync workers, DEBUG off) and the mail worker run on loopback against a database of
their own; orderers place orders (half of them above their order limit, so that the
administrators are asked to approve) and administrators invite accounts, while a
killer sends ``kill -9`` at random moments to a gunicorn worker (the master starts a
new one) or to the mail worker (started again a moment later, as a service manager
would). Then the drill stops the load, lets the last worker drain the outbox and counts:

- mails expected: every message committed (a trigger on the outbox table notes each
  one in the same transaction, so a rolled-back action counts for nothing);
- delivered: the messages written by the file mail backend, by their Message-ID (which
  the portal makes from the message's id); lost = expected but never delivered;
  duplicated = delivered more than once;
- every order has its confirmation and every invitation its mail, read from the mails
  themselves; every order a client was told about exists;
- partial records: orders without lines, accounts without a membership;
- tasks left running, and messages still in the outbox (waiting or given up).

Targets: 0 lost, 0 partial, nothing left running or in the outbox; duplicates are
reported (a worker killed after the mail server accepted a message and before its row
was deleted sends it again). ``DRILL_SECONDS`` (default 60) sets the length of the load
on each database, ``DRILL_CLIENTS`` the orderers (default 6) and ``DRILL_SEED`` the
random seed. The report goes to bench/results/crash-drill.md and .json; the mails and the
server's log of each run stay under var/drill/.
"""

import email
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import urlencode

from bench import common

SECONDS = float(os.environ.get("DRILL_SECONDS", "60"))
CLIENTS = int(os.environ.get("DRILL_CLIENTS", "6"))
ADMINS = 2
SEED = int(os.environ.get("DRILL_SEED", str(int(time.time()))))
DRAIN_SECONDS = 420  # the longest a message killed mid-send waits: its lease, then a sweep
PASSWORD = "Drill-wachtwoord-2026"
SQLITE_URL = f"sqlite:///{common.ROOT / 'var' / 'drill.sqlite3'}"
POSTGRES_URL = os.environ.get("DRILL_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/portal_drill")
ORDERER = "besteller{:02d}@drill.example"
ADMIN = "beheerder{:02d}@drill.example"

TRIGGERS = {
    "sqlite": [
        "CREATE TABLE IF NOT EXISTS drill_mail_log (id char(32) PRIMARY KEY)",
        "CREATE TRIGGER IF NOT EXISTS drill_mail_logged AFTER INSERT ON core_outgoingmail "
        "BEGIN INSERT INTO drill_mail_log (id) VALUES (NEW.id); END",
    ],
    "postgresql": [
        "CREATE TABLE IF NOT EXISTS drill_mail_log (id uuid PRIMARY KEY)",
        "CREATE OR REPLACE FUNCTION drill_mail_log_insert() RETURNS trigger AS $$ "
        "BEGIN INSERT INTO drill_mail_log (id) VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS drill_mail_logged ON core_outgoingmail",
        "CREATE TRIGGER drill_mail_logged AFTER INSERT ON core_outgoingmail "
        "FOR EACH ROW EXECUTE FUNCTION drill_mail_log_insert()",
    ],
}


# --- In a process of its own, with Django set up ------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _note_every_mail():
    """The trigger that notes every committed message (before the demo data's mail)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in TRIGGERS[connection.vendor]:
            cursor.execute(statement)


def prepare():
    """A fresh schema, the demo catalogue, an organization of the drill with its
    administrators and orderers, and the trigger that notes every committed message."""
    common.prepare_portal(after_migrate=_note_every_mail)
    from django.contrib.auth.hashers import make_password

    from portal.accounts.models import User
    from portal.locations.models import Address, AddressKind, Department, Location, LocationLink
    from portal.ordering.models import Product
    from portal.organizations.models import Membership, Organization, Role, Status

    organization = Organization.objects.create(customer_number="DRILL", name="Drill Bakkerij B.V.")
    location = Location.objects.create(organization=organization, code="D1", name="Drill Centrum")
    Address.objects.create(location=location, kind=AddressKind.VISITING, street="Markt 1", postal_code="1234 AB", city="Utrecht")
    Address.objects.create(
        location=location, kind=AddressKind.DELIVERY, street="Achterom 2", postal_code="1234 AC", city="Utrecht"
    )
    Department.objects.create(location=location, name="Kassa")
    encoded = make_password(PASSWORD)

    def account(address, name, **membership):
        user = User.objects.create(email=address, full_name=name, password=encoded, organization=organization)
        created = Membership.objects.create(user=user, organization=organization, status=Status.ACTIVE, **membership)
        LocationLink.objects.create(membership=created, location=location)

    for n in range(ADMINS):
        account(ADMIN.format(n), f"Beheerder {n}", role=Role.ADMINISTRATOR)
    for n in range(CLIENTS):
        # Half of the orderers need approval for every order: more mails per order.
        account(ORDERER.format(n), f"Besteller {n}", may_order=True, order_limit=1 if n % 2 else None)
    products = list(Product.objects.offered().order_by("pk").values_list("pk", flat=True)[:5])
    print(json.dumps({"products": products, "location": location.pk}))


def count():
    """What the database holds after the drill (printed as JSON)."""
    _django()
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from portal.accounts.models import User
    from portal.core.models import OutgoingMail
    from portal.ordering.models import Order
    from portal.organizations.models import Membership

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM drill_mail_log")
        expected = [uuid.UUID(str(row[0])).hex for row in cursor.fetchall()]
    orders = Order.objects.filter(organization__customer_number="DRILL")
    invited = Membership.objects.filter(organization__customer_number="DRILL", user__email__startswith="uitnodiging-")
    print(json.dumps({
        "expected": expected,
        "orders": [[o.number, o.placed_by.email] for o in orders.select_related("placed_by")],
        "invitations": list(invited.values_list("user__email", flat=True)),
        "orders_without_lines": orders.filter(lines__isnull=True).count(),
        "accounts_without_membership": User.objects.filter(is_staff=False, membership__isnull=True).count(),
        "outbox_waiting": OutgoingMail.objects.filter(failed_at__isnull=True).count(),
        "outbox_given_up": OutgoingMail.objects.filter(failed_at__isnull=False).count(),
        "tasks_running": DBTaskResult.objects.filter(status="RUNNING").count(),
        "tasks_ready": DBTaskResult.objects.filter(status="READY").count(),
    }))  # fmt: skip


def _in_django(env, function):
    output = subprocess.run([common.PYTHON, "-m", "bench.crash_drill", function], cwd=common.ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=600).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


# --- The load ---------------------------------------------------------------------------


class Browser:
    """One person's HTTP client: cookies kept, a new connection after the server dropped
    one (a killed worker)."""

    def __init__(self, port, address):
        self.port, self.address, self.cookies = port, address, {}
        self.conn = None

    def request(self, method, path, data=None):
        headers = {"Host": "127.0.0.1", "X-Forwarded-For": self.address,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}  # fmt: skip
        body = None
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            page = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn = None  # the worker died under us
            return None, None, ""
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), page

    def log_in(self, address, deadline):
        while time.monotonic() < deadline:
            self.request("GET", "/inloggen/")
            status, location, _ = self.request("POST", "/inloggen/", {"login": address, "password": PASSWORD})
            if status == 302 and not location.startswith("/inloggen"):
                return True
        return False


def _field(page, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', page)
    if match:
        return match.group(1)
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    options = re.findall(r'<option value="([^"]+)"', select.group(0)) if select else []
    return options[0] if options else ""


def orderer(port, n, products, deadline, tally):
    browser = Browser(port, f"10.2.0.{n + 1}")
    if not browser.log_in(ORDERER.format(n), deadline):
        return
    rng = random.Random(SEED + n)
    while time.monotonic() < deadline:
        browser.request("POST", f"/bestellen/winkelwagen/toevoegen/{rng.choice(products)}/", {"quantity": "1"})
        status, _, page = browser.request("GET", "/bestellen/afrekenen/")
        if status != 200 or "submission_key" not in page:
            tally["errors"] += 1
            continue
        fields = {name: _field(page, name) for name in ("location", "department", "submission_key", "cart")}
        status, location, _ = browser.request("POST", "/bestellen/afrekenen/", fields | {"reference": f"drill {n}"})
        if status == 302 and "/bestellingen/" in (location or ""):
            tally["orders_confirmed"].append(int(location.rstrip("/").rsplit("/", 1)[1]))
        else:
            tally["errors"] += 1


def administrator(port, n, location_pk, deadline, tally):
    browser = Browser(port, f"10.3.0.{n + 1}")
    if not browser.log_in(ADMIN.format(n), deadline):
        return
    while time.monotonic() < deadline:
        address = f"uitnodiging-{uuid.uuid4().hex[:12]}@drill.example"
        form = {"full_name": "Nieuwe Collega", "email": address, "role": "employee", "may_use_portal": "on",
                "locations": [str(location_pk)]}  # fmt: skip
        browser.request("GET", "/accountbeheer/nieuw/")
        status, location, _ = browser.request("POST", "/accountbeheer/nieuw/", form)
        if status == 302 and "/accountbeheer/" in (location or ""):
            tally["invitations_confirmed"].append(address)
        else:
            tally["errors"] += 1


class Processes:
    """gunicorn and the mail worker, and the killer that brings them down at random."""

    def __init__(self, env, log):
        self.env, self.log = env, log
        self.port = common.free_port()
        self.server = subprocess.Popen(common.server_command("gunicorn", self.port, 2), cwd=common.ROOT, env=env, stderr=log)
        self.worker = None
        self.start_worker()
        self.kills = {"gunicorn_worker": 0, "mail_worker": 0}
        common.wait_for_port(self.port)

    def start_worker(self):
        command = [common.PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                   "--interval", "0.2", "--sweep-interval", "5", "-v", "0"]  # fmt: skip
        self.worker = subprocess.Popen(command, cwd=common.ROOT, env=self.env, stdout=self.log, stderr=self.log)

    def kill_now(self, rng):
        if rng.random() < 0.5:
            workers = common.process_tree(self.server.pid)[1:]
            if workers:
                os.kill(rng.choice(workers), signal.SIGKILL)
                self.kills["gunicorn_worker"] += 1
        else:
            self.worker.kill()
            self.worker.wait()
            self.kills["mail_worker"] += 1
            time.sleep(rng.uniform(0.2, 2.0))  # a service manager starts it again
            self.start_worker()

    def killer(self, deadline):
        rng = random.Random(SEED)
        while time.monotonic() < deadline - 1:
            time.sleep(rng.uniform(1.0, 4.0))
            self.kill_now(rng)

    def stop(self):
        for process in (self.server, self.worker):
            process.terminate()
        for process in (self.server, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


# --- Counting the mail ----------------------------------------------------------------------


def delivered_mail(folder):
    """Every message the file backend wrote: (message id, recipients, subject, body)."""
    messages = []
    for path in sorted(Path(folder).glob("*")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.lstrip(b"\n"), policy=policy.default)
            body = message.get_body(("plain",))
            messages.append((
                (message["Message-ID"] or "").strip("<>").split("@")[0].replace("-", ""),
                str(message["To"] or ""), str(message["Subject"] or ""), body.get_content() if body else "",
            ))  # fmt: skip
    return messages


def tally_mail(state, messages, tally):
    delivered = [message_id for message_id, *_ in messages]
    counts = {message_id: delivered.count(message_id) for message_id in set(delivered)}
    expected = set(state["expected"])
    orders_confirmed = set(tally["orders_confirmed"])
    return {
        "mails_expected": len(expected),
        "mails_delivered": len(expected & set(counts)),
        "mails_lost": len(expected - set(counts)),
        "mails_duplicated": sum(n - 1 for n in counts.values()),
        "mails_unexpected": len(set(counts) - expected),
        "orders": len(state["orders"]),
        "orders_without_confirmation_mail": sum(
            1 for number, to in state["orders"] if not any(to in t and number in b for _, t, _, b in messages)
        ),
        "orders_confirmed_to_clients": len(orders_confirmed),
        "invitations": len(state["invitations"]),
        "invitations_without_mail": sum(1 for address in state["invitations"] if not any(address in t for _, t, _, _ in messages)),
        "confirmed_invitations_missing": len(set(tally["invitations_confirmed"]) - set(state["invitations"])),
        "partial_records": state["orders_without_lines"] + state["accounts_without_membership"],
        "outbox_waiting": state["outbox_waiting"],
        "outbox_given_up": state["outbox_given_up"],
        "tasks_running": state["tasks_running"],
        "client_errors": tally["errors"],
    }  # fmt: skip


def drill(database_url, run_dir):
    shutil.rmtree(run_dir, ignore_errors=True)
    mail_dir = run_dir / "mail"
    mail_dir.mkdir(parents=True)
    env = common.environment(
        database_url, EMAIL_URL=f"file:///{mail_dir.relative_to(common.ROOT)}", EMAIL_TIMEOUT="2", INVITE_RATE_LIMIT="100000/h/user",
        LOG_LEVEL="ERROR", TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )  # fmt: skip
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        common.recreate_postgres_database(database_url)
    setup = _in_django(env, "prepare")
    tally = {"orders_confirmed": [], "invitations_confirmed": [], "errors": 0}
    with open(run_dir / "server.log", "wb") as log:
        processes = Processes(env, log)
        try:
            drained_after = _load(processes, setup, tally)
        finally:
            processes.stop()
    state = _in_django(env, "count")
    result = tally_mail(state, delivered_mail(mail_dir), tally)
    return result | {"kills": processes.kills, "drained_after_seconds": drained_after}


def _load(processes, setup, tally):
    """Orderers, administrators and the killer until the deadline; then the outbox drains."""
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=orderer, args=(processes.port, n, setup["products"], deadline, tally)) for n in range(CLIENTS)
    ]
    threads += [
        threading.Thread(target=administrator, args=(processes.port, n, setup["location"], deadline, tally))
        for n in range(ADMINS)
    ]
    threads.append(threading.Thread(target=processes.killer, args=(deadline,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _drain(processes.env)


def _drain(env):
    """Wait until the outbox is empty (or DRAIN_SECONDS passed); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        state = _in_django(env, "count")
        if not state["outbox_waiting"] and not state["tasks_ready"] and not state["tasks_running"]:
            break
        time.sleep(5)
    return round(time.monotonic() - started)


def report(runs):
    rows = [
        ("kills of a gunicorn worker", lambda r: r["kills"]["gunicorn_worker"]),
        ("kills of the mail worker", lambda r: r["kills"]["mail_worker"]),
        ("orders placed (confirmed to the client)", lambda r: f"{r['orders']} ({r['orders_confirmed_to_clients']})"),
        ("invitations", lambda r: r["invitations"]),
        ("mails expected", lambda r: r["mails_expected"]),
        ("mails delivered", lambda r: r["mails_delivered"]),
        ("**mails lost** (target 0)", lambda r: r["mails_lost"]),
        ("mails duplicated", lambda r: r["mails_duplicated"]),
        ("orders without their mail", lambda r: r["orders_without_confirmation_mail"]),
        ("invitations without their mail", lambda r: r["invitations_without_mail"]),
        ("**partial records** (target 0)", lambda r: r["partial_records"]),
        ("confirmed to a client, not stored", lambda r: r["confirmed_invitations_missing"]),
        ("left in the outbox (waiting / given up)", lambda r: f"{r['outbox_waiting']} / {r['outbox_given_up']}"),
        ("tasks left running", lambda r: r["tasks_running"]),
        ("seconds until the outbox was empty", lambda r: r["drained_after_seconds"]),
        ("client requests that failed (killed workers)", lambda r: r["client_errors"]),
    ]
    names = list(runs)
    lines = [f"# Crash drill ({SECONDS:g} s of load per database, seed {SEED})", "",
             "| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]  # fmt: skip
    lines += [f"| {label} | " + " | ".join(str(value(runs[name])) for name in names) + " |" for label, value in rows]
    return "\n".join(lines) + "\n"


def failed(result):
    return any(result[key] for key in ("mails_lost", "partial_records", "orders_without_confirmation_mail", "invitations_without_mail",
                                       "confirmed_invitations_missing", "outbox_waiting", "outbox_given_up", "tasks_running"))  # fmt: skip


def main():
    if len(sys.argv) > 1:
        {"prepare": prepare, "count": count}[sys.argv[1]]()
        return
    databases = {"SQLite": SQLITE_URL}
    if common.postgres_reachable(POSTGRES_URL):
        databases["PostgreSQL"] = POSTGRES_URL
    runs = {}
    for name, url in databases.items():
        print(f"== crash drill on {name} ({SECONDS:g} s)", flush=True)
        runs[name] = drill(url, common.ROOT / "var" / "drill" / name)
    common.write_report(
        "crash-drill", report(runs), {"seed": SEED, "seconds": SECONDS, "machine": common.machine(), "runs": runs}
    )
    if any(failed(result) for result in runs.values()):
        sys.exit("The crash drill lost or left something: see the report.")


if __name__ == "__main__":
    main()
