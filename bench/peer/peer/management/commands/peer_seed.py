"""Fill the peer's database for the benchmark.

    manage.py peer_seed --rows rows.json --password PW --login-users 200
    manage.py peer_seed --group-users 100000 --other-users 1000000 --password PW

``--rows`` takes the rows the portal's pages show its orderer (written by the portal's
side of the benchmark) and makes the same rows here; ``--login-users`` makes accounts
that log in, each with an e-mail address as allauth keeps it; ``--group-users`` fills a
group for Django admin's user changelist (once: a second run reuses them)."""

import json

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from peer.models import Address, CartItem, ChangeRequest, Department, Location, Order, ServiceRequest

ADMIN = "peer-admin@bench.example"
GROUP = "Bench Groothandel"


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--rows")
        parser.add_argument("--password", required=True)
        parser.add_argument("--login-users", type=int, default=0)
        parser.add_argument("--login-prefix", default="inlog")
        parser.add_argument("--group-users", type=int, default=0)
        parser.add_argument("--other-users", type=int, default=0)

    def handle(self, *args, rows, password, login_users, login_prefix, group_users, other_users, **options):
        encoded = make_password(password)  # one hash for all: the cost per login is the same
        with transaction.atomic():
            if rows:
                with open(rows) as f:
                    self.copy_rows(json.load(f), encoded)
            for n in range(login_users):
                self.user(f"{login_prefix}{n:04d}@bench.example", f"Inlogger {n}", encoded)
            if group_users:
                admin = self.user(ADMIN, "Bench Beheerder", encoded)
                admin.is_staff = admin.is_superuser = True
                admin.save(update_fields=["is_staff", "is_superuser"])
        if group_users:
            self.group(group_users, other_users)
        from django.contrib.sessions.models import Session

        Session.objects.all().delete()  # every run starts alike

    def user(self, email, name, encoded):
        user, created = User.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": name, "password": encoded}
        )
        if created:
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        elif user.password != encoded:
            user.password = encoded
            user.save(update_fields=["password"])
        return user

    def copy_rows(self, data, encoded):
        for model in (CartItem, ChangeRequest, ServiceRequest, Order, Address, Department, Location):
            model.objects.all().delete()
        users = {email: self.user(email, name, encoded) for email, name in data["users"].items()}
        orderer = users[data["orderer"]]
        locations = {}
        for row in data["locations"]:
            location = Location.objects.create(name=row["name"], code=row["code"])
            locations[row["code"]] = location
            if row["linked"]:
                location.users.add(orderer)
            Address.objects.bulk_create(Address(location=location, **a) for a in row["addresses"])
            Department.objects.bulk_create(Department(location=location, name=d) for d in row["departments"])
        Order.objects.bulk_create(
            Order(**{**o, "location": locations[o["location"]], "placed_by": users[o["placed_by"]], "created_at": parse_datetime(o["created_at"])})
            for o in data["orders"]
        )  # fmt: skip
        ServiceRequest.objects.bulk_create(
            ServiceRequest(**{**s, "location": locations[s["location"]], "updated_at": parse_datetime(s["updated_at"])})
            for s in data["service_requests"]
        )
        ChangeRequest.objects.bulk_create(
            ChangeRequest(**{**c, "created_by": orderer, "updated_at": parse_datetime(c["updated_at"])})
            for c in data["change_requests"]
        )
        CartItem.objects.bulk_create(CartItem(user=orderer, product=f"product {n}") for n in range(data["cart_items"]))

    def group(self, count, others):
        """``count`` users in GROUP and ``others`` in none, inserted in bulk (once)."""
        from bench.accounts import _insert, _next_id

        group, _ = Group.objects.get_or_create(name=GROUP)
        through = User.groups.through
        existing = through.objects.filter(group=group).count()
        if existing < count:
            first = _next_id(User)
            people = range(existing, count)
            with transaction.atomic():
                _insert(User, ["id", "username", "email", "first_name", "last_name", "password"],
                        ((first + i, f"medewerker{n:07d}@bench.example", f"medewerker{n:07d}@bench.example", "Bench", f"Medewerker {n}", "!")
                         for i, n in enumerate(people)))  # fmt: skip
                first_link = _next_id(through)
                _insert(through, ["id", "user", "group"], ((first_link + i, first + i, group.pk) for i in range(len(people))))
        outside = User.objects.filter(username__startswith="ander").count()
        if outside < others:
            first = _next_id(User)
            with transaction.atomic():
                _insert(User, ["id", "username", "email", "first_name", "last_name", "password"],
                        ((first + i, f"ander{n:07d}@bench.example", f"ander{n:07d}@bench.example", "Bench", f"Ander {n}", "!")
                         for i, n in enumerate(range(outside, others))))  # fmt: skip
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), [User, through]):
                cursor.execute(statement)
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.stdout.write(json.dumps({"group": group.pk}))
