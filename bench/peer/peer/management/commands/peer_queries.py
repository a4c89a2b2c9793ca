"""The statements of a login and of each page, for the benchmark's report (JSON)."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("password")
        parser.add_argument("paths", help="JSON: {name: path}")

    def handle(self, *args, email, password, paths, **options):
        from bench.common import PEER_LOGIN, count_queries

        self.stdout.write(json.dumps(count_queries(json.loads(paths), email, password, PEER_LOGIN)))
