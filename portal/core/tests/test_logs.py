"""Log lines and the request id: every line of a request carries its id, which the
response names in X-Request-ID and the audit trail keeps; JSON lines hold nothing
personal."""

import io
import json
import logging
import re

import pytest
from django.urls import reverse

from conftest import PASSWORD
from portal.core.logs import JsonFormatter, RequestIdFilter, RoutePathFilter, TextFormatter, scrub
from portal.core.models import AuditEvent
from portal.core.requestid import HEADER

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """The root logger's lines as LOG_FORMAT=json writes them, one request line included;
    a function returns them parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RoutePathFilter())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("portal.access", "portal.core.mail", "")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def record(message, *args, name="portal.test", level=logging.INFO, **attributes):
    entry = logging.LogRecord(name, level, __file__, 1, message, args, None)
    entry.__dict__.update(attributes)
    return entry


@pytest.mark.django_db
class TestRequestId:
    def test_each_response_names_a_new_id(self, client):
        first, second = client.get("/inloggen/")[HEADER], client.get("/inloggen/")[HEADER]
        assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second

    def test_the_load_balancers_id_is_kept_when_it_is_a_short_safe_token(self, client, settings):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        assert client.get("/inloggen/", HTTP_X_REQUEST_ID="lb-7f3a.01_x")[HEADER] == "lb-7f3a.01_x"

    @pytest.mark.parametrize("incoming", ["a b", "x" * 65, "<script>", "id\nforged line", "é", ""])
    def test_any_other_incoming_id_is_replaced(self, client, settings, incoming):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        assert GENERATED.fullmatch(client.get("/inloggen/", HTTP_X_REQUEST_ID=incoming)[HEADER])

    def test_without_a_load_balancer_a_clients_id_is_not_taken(self, client, settings):
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
        assert GENERATED.fullmatch(client.get("/inloggen/", HTTP_X_REQUEST_ID="chosen-by-client")[HEADER])

    def test_the_audit_trail_keeps_the_id_of_the_request(self, client, employee):
        response = client.post(reverse("account_login"), {"login": employee.email, "password": PASSWORD})
        event = AuditEvent.objects.get(action="login")
        assert event.request_id == response[HEADER]

    def test_an_event_outside_a_request_has_none(self, employee):
        from portal.core.audit import audit_record

        assert AuditEvent.objects.get(pk=audit_record("login", actor=employee, target=employee)).request_id == ""


@pytest.mark.django_db(transaction=True)
def test_the_mail_lines_of_a_request_carry_its_id_and_no_address(client, employee, json_log):
    response = client.post(reverse("account_reset_password"), {"email": employee.email})
    assert response.status_code == 302
    lines = json_log()
    mail_lines = [line for line in lines if line["logger"] == "portal.core.mail"]
    assert [line["message"].split()[::2] for line in mail_lines] == [["mail", "queued"], ["mail", "sent"]]
    assert {line["request_id"] for line in mail_lines} == {response[HEADER]}
    assert employee.email not in json.dumps(lines) and employee.full_name not in json.dumps(lines)


@pytest.mark.django_db
def test_one_line_per_request_with_the_view_not_the_path(client, json_log):
    response = client.get("/uitnodiging/een-geheim-token-uit-een-mail/")
    [access] = [line for line in json_log() if line["logger"] == "portal.access"]
    assert access["request_id"] == response[HEADER]
    assert (access["method"], access["view"], access["status"]) == ("GET", "invitation_accept", response.status_code)
    assert access["duration_ms"] >= 0
    assert "een-geheim-token" not in json.dumps(json_log())


@pytest.mark.django_db
def test_django_logs_the_route_of_a_page_not_found_never_its_path(client, json_log):
    client.get("/uitnodiging/een-geheim-token-uit-een-mail/")  # an invitation that does not exist: 404
    lines = json_log()
    assert any(line["logger"] == "django.request" and line["status_code"] == 404 for line in lines)
    assert "een-geheim-token" not in json.dumps(lines)
    assert any("uitnodiging/<str:token>/" in line["message"] for line in lines if line["logger"] == "django.request")


class TestFormatters:
    def test_a_json_line_has_time_level_logger_message_and_request_id(self):
        line = json.loads(JsonFormatter().format(record("mail %s queued", "42", request_id="abc")))
        assert line["message"] == "mail 42 queued" and line["request_id"] == "abc"
        assert (line["level"], line["logger"]) == ("INFO", "portal.test")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])

    def test_an_error_gives_its_class_and_where_never_its_text(self):
        try:
            raise ValueError("anna@bakkerij.example bestaat al")
        except ValueError:
            import sys

            entry = record("job %s failed", "x", level=logging.ERROR, exc_info=sys.exc_info())
        text = JsonFormatter().format(entry)
        line = json.loads(text)
        assert line["error"]["type"] == "builtins.ValueError"
        assert any("test_logs.py" in frame for frame in line["error"]["stack"])
        assert "anna@" not in text

    def test_fields_cannot_overwrite_the_line_itself(self):
        line = json.loads(JsonFormatter().format(record("echt", fields={"message": "vals", "view": "home"})))
        assert line["message"] == "echt" and line["view"] == "home"

    def test_addresses_in_any_message_are_replaced(self):
        assert scrub("Key (email)=(anna.de-vries+x@bakkerij.example) already exists") == ("Key (email)=([e-mail]) already exists")
        text = TextFormatter().format(record("user %s", "jan@jansen.example", request_id="-"))
        assert "jan@" not in text and "[e-mail]" in text

    def test_a_plain_line_names_the_request_id(self):
        assert TextFormatter().format(record("hallo", request_id="r1")) == "INFO portal.test [r1] hallo"

    def test_a_plain_line_without_the_filter_still_formats(self):
        assert TextFormatter().format(record("hallo")) == "INFO portal.test [-] hallo"

    def test_a_record_outside_a_request_gets_a_dash(self):
        entry = record("hallo")
        RequestIdFilter().filter(entry)
        assert entry.request_id == "-"
