"""No input answers a 500: every form and filter of the portal, for visitors, customers
of each role and HartingBank's staff, sent hostile values (NUL bytes and other control
characters, line breaks, numbers no column holds, dates at the ends of the calendar,
text longer than any column, characters that grow when normalized, forms in other
character sets).

The forms and filters are found as a person finds them (``tests.hostile.discover``):
each actor walks the portal from its start pages, and every form on a page and every
query parameter in a link becomes a target. Hypothesis then picks an actor, a target and
a value for each of its fields, many times over. Each request runs in a savepoint that
is rolled back afterwards, so every case starts from the same data (and a case that
fails can be shrunk and replayed); the test client answers a 500 as a response
(``raise_request_exception=False``), which the test counts as a failure.

``HOSTILE_INPUT_EXAMPLES`` sets the number of cases (default below); with
``HOSTILE_INPUT_RANDOM=1`` each run tries other cases than the last (by default the run
is the same every time, so the suite does not flicker).
"""

import os
import re
import time
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from conftest import give_totp
from portal.accounts.models import User
from tests.hostile import HOSTILE, discover, encodable, route_of

EXAMPLES = int(os.environ.get("HOSTILE_INPUT_EXAMPLES", "500"))
RANDOM = os.environ.get("HOSTILE_INPUT_RANDOM") == "1"

# Who walks the portal (the demo data's accounts): a visitor, a customer's employee, one
# who may order, an administrator, online customer service and an account manager.
ACTORS = {
    "visitor": None,
    "employee": "medewerker@vandijk.example",
    "orderer": "besteller@vandijk.example",
    "administrator": "beheerder@vandijk.example",
    "customer_service": "klantenservice@hartingbank.example",
    "account_manager": "accountmanager@hartingbank.example",
}
START = [
    "/", "/mijn-account/", "/veelgestelde-vragen/", "/contact/", "/handleiding/", "/wachtwoord-vergeten/verstuurd/",
    "/backoffice/", "/backoffice/stamgegevens/",
    # Two-step login's pages that its overview links to only once there is something to show.
    "/mijn-account/tweestapsverificatie/passkeys/", "/mijn-account/tweestapsverificatie/herstelcodes/",
    "/mijn-account/tweestapsverificatie/herstelcodes/download/",
]  # fmt: skip
# Logging out would end the actor's session for the cases after it.
SKIP = [r"^/uitloggen/"]
# Routes no walk reaches: files (no form), and pages an actor reaches only by a link
# that is mailed (added to the start pages below) or after a step that is not a page.
NOT_WALKED = {
    "service:attachment", "contact:attachment", "backoffice:service_request_attachment",
    "backoffice:contact_message_attachment", "account_reset_password_from_key_done", "account_inactive",
    "accounts:account_reauthenticate", "account_reauthenticate", "contact:sent", "offline", "manifest",
    "service_worker",
    # A key is revoked from the list only once one exists (the demo has none); the API and SCIM
    # take JSON, not forms (portal/api/tests, portal/scim/tests).
    "api_keys:revoke",
    # Two-step login: the second step of a login and a passkey's login and confirmation
    # (JSON, by script), asked for again like the password; a passkey's pages need one.
    "mfa_authenticate", "mfa_login_webauthn", "mfa_reauthenticate", "mfa_reauthenticate_webauthn",
    "mfa_remove_webauthn", "mfa_edit_webauthn",
    # The FAQ's master data under their address of before the split of "support": a redirect.
    "backoffice_admin:support_moved",
    # An access review offers "finish" once every account is checked and "record a change"
    # once an account changed since the start; their forms hold what "confirm" holds (the
    # review's filter and page), which is walked.
    "reviews:finish", "reviews:item_record_change",
    # Starting one is offered while none is open (the walk holds one open, for the forms of
    # its accounts); its form has no field of its own.
    "reviews:start",
}  # fmt: skip

POST_ENCODINGS = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=x-unknown",
    "text/plain",
]

hostile_text = st.one_of(
    st.sampled_from([encodable(value) for value in HOSTILE]),
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Zl", "Zp", "Cf"]), min_size=1, max_size=5),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates().map(lambda day: day.isoformat()),
    st.sampled_from(["\ufdfa", "\u0130", "\u00df", "\U0001f600", "a"]).flatmap(
        lambda c: st.integers(1, 400).map(lambda n: c * n)
    ),
)


# Headers a client may send instead of its own: a session cookie the portal did not make
# (a quoted value may hold octal escapes), odd language and CSRF cookies, a host not
# served, a huge or broken length.
HOSTILE_HEADERS = [
    {"HTTP_COOKIE": 'sessionid="' + "\\000" * 32 + '"'},
    {"HTTP_COOKIE": "sessionid=" + "a" * 5000},
    {"HTTP_COOKIE": 'django_language="\\000"; csrftoken="\\377\\000"'},
    {"HTTP_COOKIE": "=;;=;" + "x=" * 1000},
    {"HTTP_HOST": "elders.example"},
    {"HTTP_HOST": "testserver:99999999999999999999"},
    {"HTTP_ACCEPT_LANGUAGE": "\u00ff" * 100},
    {"HTTP_X_FORWARDED_FOR": "999.999.999.999, \u0000"},
]


def field_value(field):
    """A value the page itself offers (so the other fields of a case pass), or a hostile one."""
    own = st.sampled_from(field.values) if field.values else st.just("")
    return st.one_of(own, hostile_text, st.none())  # None: the field is left out


def mailed_links(client, admin, employee, django_capture_on_commit_callbacks):
    """The links the portal mails: a password reset, an invitation and a new e-mail
    address to confirm; the walk starts from them too."""
    from portal.organizations import services
    from portal.organizations.models import Membership, Status

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_reset_password"), {"email": employee.email})
        invited = Membership.objects.filter(status=Status.INVITED).first()
        services.invitation_resend(actor=admin, membership=invited)
        client.force_login(admin)
        membership = employee.membership
        services.account_update(
            actor=admin, membership=membership, expected_version=membership.version,
            data={"email": "nieuw.adres@vandijk.example"}, locations=list(membership.organization.locations.all()),
        )  # fmt: skip
    links = {}
    for message in mail.outbox:
        for path in re.findall(r"https?://[^/\s]+(/\S+)", message.body):
            if route_of(path) in ("account_reset_password_from_key", "invitation_accept"):
                links.setdefault("visitor", []).append(path)
            elif route_of(path) == "email_change_confirm":
                links.setdefault("employee", []).append(path)
    return links


def pages_of_the_demo(users):
    """Start pages of each actor beyond the menus: every request, order and account it
    may open (a walk reads only a few pages of each kind, and a form such as "reopen"
    shows on some of them only); with something in the cart, and an import waiting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.changes.models import ChangeRequest
    from portal.contact.models import ContactMessage
    from portal.ordering import services as ordering
    from portal.ordering.models import Order, Product
    from portal.organizations import imports
    from portal.organizations.models import Membership
    from portal.reviews import services as reviews
    from portal.service.models import ServiceRequest

    def one_per_status(route, queryset):
        """A page for one object of each status (a form may show in one status only)."""
        by_status = dict(queryset.order_by("-pk").values_list("status", "pk"))
        return [reverse(route, args=[pk]) for pk in by_status.values()]

    pages = {}
    for actor in ("employee", "orderer", "administrator"):
        user = users[actor]
        pages[actor] = [
            *one_per_status("service:detail", ServiceRequest.objects.visible_to(user)),
            *one_per_status("changes:detail", ChangeRequest.objects.visible_to(user)),
            *one_per_status("contact:detail", ContactMessage.objects.visible_to(user)),
            *one_per_status("ordering:order_detail", Order.objects.visible_to(user)),
        ]
    for actor in ("orderer", "administrator"):
        ordering.cart_add(actor=users[actor], product=Product.objects.offered().first(), quantity=1)
        pages[actor] += [reverse("ordering:cart"), reverse("ordering:checkout")]
    admin = users["administrator"]
    batch = imports.import_prepare(
        actor=admin, organization=admin.membership.organization,
        uploaded=SimpleUploadedFile("accounts.csv", b"naam;e-mailadres\nNoor;noor.import@vandijk.example\n"),
    )  # fmt: skip
    pages["administrator"] += [reverse("accountbeheer:import_detail", args=[batch.pk])]
    pages["administrator"] += one_per_status("accountbeheer:detail", Membership.objects.visible_to(admin).exclude(user=admin))
    # A leaver's handover, and an access review under way (the demo's is finished).
    leaver = Membership.objects.visible_to(admin).filter(leaves_on__isnull=False).first()
    review = reviews.review_start(actor=admin, organization=admin.membership.organization)
    pages["administrator"] += [reverse("accountbeheer:handover", args=[leaver.pk]), reverse("reviews:detail", args=[review.pk])]
    # Four eyes: a second administrator asks to make the orderer an administrator; the
    # first sees it waiting (approve, refuse, withdraw).
    from conftest import make_account
    from portal.organizations import services as accounts
    from portal.organizations.models import Role

    organization = admin.membership.organization
    second = make_account(organization, "tweede@vandijk.example", role=Role.ADMINISTRATOR, full_name="Tweede Beheerder")
    accounts.organization_four_eyes_set(actor=admin, organization=organization, on=True, amount=1000)
    orderer = users["orderer"].membership
    accounts.account_update(
        actor=second, membership=orderer, expected_version=orderer.version, data={"role": Role.ADMINISTRATOR},
        locations=list(organization.locations.filter(links__membership=orderer)),
    )  # fmt: skip
    pages["administrator"] += [reverse("accountbeheer:four_eyes")]
    pages["customer_service"] = [
        *one_per_status("backoffice:service_request_detail", ServiceRequest.objects.all()),
        *one_per_status("backoffice:change_request_detail", ChangeRequest.objects.all()),
        *one_per_status("backoffice:contact_message_detail", ContactMessage.objects.all()),
        *one_per_status("backoffice:account_detail", Membership.objects.all()),
    ]
    return pages


def send(client, target, data, files, encoding, headers):
    if target.method == "get":
        return client.get(target.path, data, **headers)
    if encoding == "multipart/form-data" or files:
        return client.post(target.path, {**data, **files}, **headers)
    body = urlencode(data, doseq=True)
    charset = encoding.partition("charset=")[2]
    body = body.encode(charset) if charset in ("latin-1", "utf-16") else body.encode()  # as a browser would send it
    return client.generic("POST", target.path, body, content_type=encoding, **headers)


@pytest.mark.django_db
def test_no_input_answers_a_server_error(settings, media_root, capsys, record_property, django_capture_on_commit_callbacks):
    from portal.site import demo

    started = time.monotonic()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the demo's accounts, quickly
    demo.load()
    users = {actor: User.objects.get(email=email) if email else None for actor, email in ACTORS.items()}
    clients = {actor: Client(raise_request_exception=False) for actor in ACTORS}
    links = mailed_links(clients["administrator"], users["administrator"], users["employee"], django_capture_on_commit_callbacks)
    for actor, pages in pages_of_the_demo(users).items():
        links.setdefault(actor, []).extend(pages)
    targets, walked = {}, set()
    give_totp(users["orderer"])  # so that the administrator can reset someone's second factor
    for actor, user in users.items():
        if user is not None:
            clients[actor].force_login(user)
            # The two-step settings ask for the password again first.
            clients[actor].post(reverse("account_reauthenticate"), {"password": demo.DEMO_PASSWORD})
        found, routes = discover(clients[actor], START + links.get(actor, []), per_route=1, skip=SKIP)
        targets[actor] = [t for t in found if not any(re.search(s, t.path) for s in SKIP)]
        walked |= routes | {route_of(t.path) for t in found}
    unwalked = {route for route in _named_routes() if route not in walked} - NOT_WALKED
    assert not unwalked, f"routes no actor reached (add a start page for them, or list them in NOT_WALKED): {sorted(unwalked)}"
    setup_seconds = time.monotonic() - started
    cases = []

    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )  # fmt: skip
    @given(data=st.data())
    def case(data):
        actor = data.draw(st.sampled_from(sorted(targets)), label="actor")
        target = data.draw(st.sampled_from(targets[actor]), label="target")
        values = {f.name: data.draw(field_value(f), label=f.name) for f in target.fields if f.kind != "file"}
        values = {name: value for name, value in values.items() if value is not None}
        files = {
            f.name: SimpleUploadedFile(data.draw(hostile_text, label="file name")[:200] or "bestand", b"%PDF-1.4\n%%EOF\n")
            for f in target.fields if f.kind == "file" and data.draw(st.booleans(), label=f"send {f.name}")
        }  # fmt: skip
        encoding = data.draw(st.sampled_from(POST_ENCODINGS), label="encoding") if target.method == "post" else None
        if data.draw(st.booleans(), label="another id in the path") and re.search(r"/\d+/", target.path):
            number = data.draw(st.sampled_from(["9" * 40, "9223372036854775808", "0", "2147483648"]), label="id")
            target = type(target)(
                target.method, re.sub(r"/\d+/", f"/{number}/", target.path, count=1), target.fields, target.enctype
            )
        headers = data.draw(st.one_of(st.just({}), st.sampled_from(HOSTILE_HEADERS)), label="headers")
        note(f"{actor}: {target.method.upper()} {target.path} {values!r} {encoding or ''} {headers or ''}")
        cache.clear()  # rate limits count per test, not per case
        client = clients[actor]
        if users[actor] is not None and not _logged_in(client):
            client.force_login(users[actor])  # outside the case, so it stays for the next ones
        with transaction.atomic():
            response = send(client, target, values, files, encoding, headers)
            if response.streaming:
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        cases.append(target.path)
        assert response.status_code < 500, f"{actor}: {target.method.upper()} {target.path} answered {response.status_code}"

    case()
    per_actor = ", ".join(f"{actor} {len(found)}" for actor, found in targets.items())
    summary = (
        f"hostile input: {len(cases)} requests to {len(set(cases))} addresses, none answered 5xx; forms and filters "
        f"found: {per_actor} ({time.monotonic() - started:.1f} s, of which {setup_seconds:.1f} s finding them)"
    )
    record_property("hostile_input_requests", len(cases))
    with capsys.disabled():
        print("\n" + summary)


def _logged_in(client):
    """Whether the client's session still exists (a case that ends or replaces it is rolled back)."""
    from importlib import import_module

    from django.conf import settings as django_settings

    cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    return cookie is not None and import_module(django_settings.SESSION_ENGINE).SessionStore().exists(cookie.value)


def _named_routes():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "backoffice_admin":
                    continue  # the admin's own pages: its lists and forms are walked from its index
                if pattern.namespace == "api" or str(pattern.pattern) == "scim/v2/":
                    continue  # JSON endpoints with a key of their own, tested in portal/api and portal/scim
                yield from walk(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name

    return set(walk(get_resolver()))
