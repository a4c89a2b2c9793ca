"""Backup and restore, the whole round trip, on SQLite and on PostgreSQL.

A portal of its own (the demo data, mail waiting in the outbox as no worker runs) is
backed up while another process keeps placing orders and filing service requests with an
attachment through the services. The archive is restored into an empty database and
media folder of their own, and there: the demo accounts log in, every order has its lines
and its entry in the audit trail, every attachment downloads as it was written, the
counts lie between what had been written when the backup started and when it ended, and
every mail that was waiting is held: the worker sends nothing until one is released.
Each step runs ``manage.py`` in a process of its own, as an operator would.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]
ORDERER = "besteller@vandijk.example"
ATTACHMENT = b"%PDF-1.4\n% a work order written while the backup ran\n%%EOF\n"


class Portal:
    """A portal with a database and media folder of its own, driven by manage.py."""

    def __init__(self, folder, database_url):
        self.folder = Path(folder)
        self.media = self.folder / "media"
        self.mail = self.folder / "mail"
        keep = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "TASKS_BACKEND", "EMAIL_URL", "MEDIA_ROOT")
        }
        self.env = {
            **keep, "TESTING": "0", "DEBUG": "1", "LOG_LEVEL": "WARNING", "DATABASE_URL": database_url,
            "VAR_DIR": str(self.folder), "MEDIA_ROOT": str(self.media),  # mail is written under VAR_DIR/mail
        }  # fmt: skip

    def manage(self, *args, check=True, timeout=120):
        done = subprocess.run([*MANAGE, *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def run(self, code):
        """Runs ``code`` in the portal; returns what it printed after REPORT: as data."""
        out = self.manage("shell", "-v", "0", "-c", code).stdout
        return json.loads(out.split("REPORT:", 1)[1]) if "REPORT:" in out else None

    def start(self, code):
        return subprocess.Popen(
            [*MANAGE, "shell", "-v", "0", "-c", code], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def mails_sent(self):
        return sorted(self.mail.glob("*.log")) if self.mail.exists() else []


# --- Run inside the portals -------------------------------------------------------------------


def set_up_with_demo_data():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def keep_writing(stop_file, log_file):
    """Places an order and files a service request with an attachment, again and again,
    until ``stop_file`` exists; each committed order's number goes on a line of
    ``log_file``, and each request's reference."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.accounts.models import User
    from portal.locations.models import Location
    from portal.ordering.models import Product
    from portal.ordering.services import cart_add, order_place
    from portal.service.services import service_request_create

    orderer = User.objects.get(email=ORDERER)
    location = Location.objects.get(code="UTC")
    department = location.departments.get(name="Winkel")
    product = Product.objects.offered().order_by("price").first()
    n = 0
    while not os.path.exists(stop_file):
        cart_add(actor=orderer, product=product, quantity=1)
        order, _created = order_place(actor=orderer, location=location, department=department, submission_key=uuid.uuid4())
        with open(log_file, "a") as log:
            log.write(f"order {order.number}\n")
        request = service_request_create(
            actor=orderer, location=location, department=department, category="other",
            subject=f"Geschreven tijdens de backup {n}", description="Met een werkbon erbij.",
            files=[SimpleUploadedFile("werkbon.pdf", ATTACHMENT)],
        )  # fmt: skip
        with open(log_file, "a") as log:
            log.write(f"request {request.reference}\n")
        n += 1


def report():
    """What the restored portal holds, and whether it works, as data."""
    from datetime import timedelta

    import time_machine
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from portal.core.mail import mail_recover
    from portal.core.models import AuditEvent, OutgoingMail
    from portal.ordering.models import Order
    from portal.service.models import ServiceAttachment, ServiceRequest
    from portal.site.demo import DEMO_PASSWORD

    client = Client(HTTP_HOST="127.0.0.1")
    login = client.post(reverse("account_login"), {"login": ORDERER, "password": DEMO_PASSWORD})
    placed = {event.changes.get("order") for event in AuditEvent.objects.filter(action="order_placed")}
    attachment = ServiceAttachment.objects.filter(request__subject__startswith="Geschreven").order_by("-id").first()
    download = client.get(reverse("service:attachment", args=[attachment.request_id, attachment.pk])) if attachment else None
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        swept = mail_recover()  # the worker's sweep, long after: held mail is not queued again
    data = {
        "login": login.status_code, "login_to": login.get("Location"),
        "orders_page": client.get(reverse("ordering:orders")).status_code,
        "orders": sorted(Order.objects.values_list("number", flat=True)),
        "orders_without_lines": Order.objects.filter(lines__isnull=True).count(),
        "orders_without_audit": sorted(set(Order.objects.values_list("number", flat=True)) - placed),
        "requests": sorted(ServiceRequest.objects.values_list("reference", flat=True)),
        "requests_audited": AuditEvent.objects.filter(action="service_request_created").count(),
        "attachments": [(a.file.name, a.size) for a in ServiceAttachment.objects.all()],
        "download": hashlib.sha256(b"".join(download.streaming_content)).hexdigest() if download else None,
        "audit_events": AuditEvent.objects.count(),
        "mail": OutgoingMail.objects.count(),
        "mail_held": OutgoingMail.objects.filter(held_at__isnull=False).count(),
        "mail_tasks": DBTaskResult.objects.filter(task_path="portal.core.mail.mail_deliver", status__in=["READY", "RUNNING"]).count(),
        "swept": swept,
        "first_held": str(OutgoingMail.objects.order_by("created_at").values_list("pk", flat=True).first()),
    }  # fmt: skip
    print("REPORT:" + json.dumps(data))


def call(function, *args):
    return f"from tests.test_backup_restore import {function.__name__}; {function.__name__}(*{args!r})"


# --- The round trip ---------------------------------------------------------------------------


def round_trip(tmp_path, source_url, restored_url):
    source = Portal(tmp_path / "source", source_url)
    restored = Portal(tmp_path / "restored", restored_url)
    source.run(call(set_up_with_demo_data))
    stop, log = tmp_path / "stop", tmp_path / "written.log"
    writer = source.start(call(keep_writing, str(stop), str(log)))
    try:
        while not log.exists() or len(log.read_text().splitlines()) < 6:  # under way
            assert writer.poll() is None, writer.communicate()
            time.sleep(0.05)
        before = log.read_text().splitlines()
        started = time.monotonic()
        backup = source.manage("backup", str(tmp_path))
        took = time.monotonic() - started
        after = log.read_text().splitlines()
        assert writer.poll() is None, writer.communicate()  # it wrote all along
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert len(after) > len(before)  # writes went on while the backup ran
    [archive] = tmp_path.glob("mijn-hartingbank-*.zip")
    assert "Backup written" in backup.stdout and took < 20
    assert archive.stat().st_mode & 0o077 == 0  # for its owner only

    # An archive damaged inside its database copy is refused before anything is restored.
    damaged = tmp_path / "damaged.zip"
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(z.namelist()[0])  # the database copy
    data[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    refused = restored.manage("restore", str(damaged), check=False)
    assert refused.returncode == 1 and "is damaged" in refused.stderr and "Nothing was restored" in refused.stderr, refused.stderr
    assert not [p for p in restored.media.rglob("*") if p.is_file()]

    done = restored.manage("restore", str(archive))
    assert "Restored the backup" in done.stdout and "held, not sent" in done.stdout, done.stdout
    again = restored.manage("restore", str(archive), check=False)
    assert again.returncode == 1 and "holds data" in again.stderr
    # Forced over it, an archive whose database does not hold what its manifest lists
    # fails in the restore's transaction: what was there stays (the report below shows it).
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(archive) as z, zipfile.ZipFile(tampered, "w") as out:
        for name in z.namelist():
            content = z.read(name)
            if name == "manifest.json":
                manifest = json.loads(content)
                manifest["tables"]["ordering_order"] += 1
                content = json.dumps(manifest)
            out.writestr(name, content)
    forced = restored.manage("restore", "--force", str(tampered), check=False)
    assert forced.returncode == 1 and "ordering_order" in forced.stderr and "Nothing was restored" in forced.stderr, forced.stderr

    state = restored.run(call(report))
    written_orders = {line.split()[1] for line in after if line.startswith("order ")}
    our_orders = [number for number in state["orders"] if number in written_orders]
    assert len([line for line in before if line.startswith("order ")]) <= len(our_orders) <= len(written_orders)
    assert state["login"] == 302 and state["login_to"] == "/", state
    assert state["orders_page"] == 200
    assert state["orders_without_lines"] == 0 and state["orders_without_audit"] == []
    assert state["requests_audited"] >= len(state["requests"]) > 0
    for name, size in state["attachments"]:  # every file the restored rows name, as it was written
        assert (restored.media / name).stat().st_size == size
    assert state["download"] == hashlib.sha256(ATTACHMENT).hexdigest()
    assert state["mail"] > 100 and state["mail_held"] == state["mail"]  # the demo's and the writer's
    assert state["mail_tasks"] == 0 and state["swept"] == 0

    # Nothing is sent until an operator says so; then exactly what was released.
    restored.manage("db_worker", "--batch", "--no-startup-delay", "-v", "0")
    assert restored.mails_sent() == []
    listed = restored.manage("held_mail").stdout
    assert f"{state['mail']} message(s) held" in listed and "@" not in listed
    restored.manage("held_mail", "--release", state["first_held"])
    restored.manage("db_worker", "--batch", "--no-startup-delay", "-v", "0")
    assert len(restored.mails_sent()) == 1
    assert f"{state['mail'] - 1} message(s) dropped" in restored.manage("held_mail", "--drop", "--all").stdout
    return archive


def test_backup_and_restore_on_sqlite_while_orders_are_placed(tmp_path):
    round_trip(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}")


def postgres_server():
    """The PostgreSQL server of the suite's database, or of CI's default; None when it does not answer."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        server = {k: database[k] for k in ("HOST", "PORT", "USER", "PASSWORD")}
    else:
        server = {"HOST": "127.0.0.1", "PORT": 5432, "USER": "postgres", "PASSWORD": ""}
    try:
        import psycopg

        psycopg.connect(dbname="postgres", host=server["HOST"], port=server["PORT"] or 5432, user=server["USER"],
                        password=server["PASSWORD"] or None, connect_timeout=3).close()  # fmt: skip
    except Exception:  # noqa: BLE001 - no server, no test
        return None
    return server


@pytest.fixture
def postgres_databases():
    """Two new databases (source and restored) on the PostgreSQL server, dropped afterwards."""
    import psycopg

    server = postgres_server()
    if server is None:
        pytest.skip("PostgreSQL does not answer")
    if not all(shutil.which(tool) for tool in ("pg_dump", "pg_restore", "psql")):
        pytest.skip("PostgreSQL's client programs are not installed (apt-get install postgresql-client)")
    connect = {
        "dbname": "postgres",
        "host": server["HOST"],
        "port": server["PORT"] or 5432,
        "user": server["USER"],
        "password": server["PASSWORD"] or None,
        "autocommit": True,
    }
    names = [f"test_backup_{os.getpid()}_{role}" for role in ("source", "restored")]
    credentials = f"{server['USER']}:{server['PASSWORD']}" if server["PASSWORD"] else server["USER"]
    with psycopg.connect(**connect) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    yield [f"postgres://{credentials}@{server['HOST']}:{server['PORT'] or 5432}/{name}" for name in names]
    with psycopg.connect(**connect) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_on_postgresql_while_orders_are_placed(tmp_path, postgres_databases):
    archive = round_trip(tmp_path, *postgres_databases)
    # The archive of the other engine is refused, and says why.
    other = Portal(tmp_path / "sqlite", f"sqlite:///{tmp_path / 'other.sqlite3'}")
    refused = other.manage("restore", str(archive), check=False)
    assert refused.returncode == 1 and "holds a postgresql database; this portal runs on sqlite" in refused.stderr
