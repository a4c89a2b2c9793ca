from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.organizations import imports
from portal.organizations.models import ImportBatch, Membership, Role, Status

GOOD_AND_BAD = (
    "naam;e-mailadres;telefoonnummer;functie;rol;portal;bestellen;locaties\n"
    "Noor de Vries;Noor@Test.example;030 1;Verkoper;medewerker;ja;nee;L1\n"
    ";zonder-naam@test.example;;;medewerker;ja;nee;\n"
    "Dubbel;employee@test.example;;;medewerker;ja;nee;\n"
    "Fout Adres;geen-adres;;;medewerker;ja;nee;\n"
    "Rare Rol;rol@test.example;;;baas;ja;nee;\n"
    "Vreemde Locatie;loc@test.example;;;medewerker;ja;nee;X1\n"
    "Jan Bakker;jan@test.example;;Filiaalleider;administrator;ja;ja;L1,L2\n"
    "Nog Eens;noor@test.example;;;medewerker;ja;nee;\n"
)


def upload(client, text, name="accounts.csv"):
    return client.post(reverse("accountbeheer:import"), {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")})


@pytest.fixture
def admin_client(client, admin_user, employee, other_location):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
class TestImport:
    def test_preview_shows_each_rows_errors_and_creates_nothing(self, admin_client):
        before = Membership.objects.count()
        response = upload(admin_client, GOOD_AND_BAD)
        batch = ImportBatch.objects.get()
        assert response.url == reverse("accountbeheer:import_detail", args=[batch.pk])
        errors = {row["line"]: row["errors"] for row in batch.rows}
        assert errors[2] == [] and errors[8] == []
        assert all(errors[line] for line in (3, 4, 5, 6, 7, 9))
        assert batch.total == 2
        assert Membership.objects.count() == before
        page = admin_client.get(response.url).content.decode()
        assert "heeft al een account in je organisatie" in page and "X1" in page

    def test_cancel_creates_nothing(self, admin_client):
        upload(admin_client, GOOD_AND_BAD)
        batch = ImportBatch.objects.get()
        before = Membership.objects.count()
        admin_client.post(reverse("accountbeheer:import_cancel", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.CANCELLED and batch.rows == []
        assert admin_client.post(reverse("accountbeheer:import_confirm", args=[batch.pk])).status_code == 302
        assert Membership.objects.count() == before

    def test_confirm_invites_the_good_rows_and_reports_per_row(
        self, admin_client, locations, mailoutbox, django_capture_on_commit_callbacks
    ):
        upload(admin_client, GOOD_AND_BAD)
        batch = ImportBatch.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("accountbeheer:import_confirm", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.DONE and batch.processed == 2
        assert [r["ok"] for r in batch.results] == [True, True]
        jan = Membership.objects.get(user__email="jan@test.example")
        assert jan.status == Status.INVITED and jan.role == Role.ADMINISTRATOR and jan.may_order
        assert set(jan.location_links.values_list("location__code", flat=True)) == {"L1", "L2"}
        assert Membership.objects.get(user__email="noor@test.example").user.job_title == "Verkoper"
        assert sorted(m.to[0] for m in mailoutbox) == ["jan@test.example", "noor@test.example"]

    def test_a_second_confirm_does_not_import_twice(self, admin_client, django_capture_on_commit_callbacks):
        upload(admin_client, GOOD_AND_BAD)
        batch = ImportBatch.objects.get()
        url = reverse("accountbeheer:import_confirm", args=[batch.pk])
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(url)
            admin_client.post(url)
        assert Membership.objects.filter(user__email__in=["jan@test.example", "noor@test.example"]).count() == 2
        assert len(ImportBatch.objects.get().results) == 2

    def test_an_address_taken_between_preview_and_run_is_reported(
        self, admin_client, organization, django_capture_on_commit_callbacks
    ):
        from conftest import make_account

        upload(admin_client, GOOD_AND_BAD)
        make_account(organization, "jan@test.example")
        batch = ImportBatch.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("accountbeheer:import_confirm", args=[batch.pk]))
        results = {r["line"]: r for r in ImportBatch.objects.get().results}
        assert results[2]["ok"] and not results[8]["ok"]

    @pytest.mark.parametrize(
        "text, code",
        [
            ("", "empty"),  # Django refuses an empty upload itself
            ("naam;telefoonnummer\nA;1\n", "missing_columns"),
            ("naam;e-mailadres\n", "empty"),
        ],
    )
    def test_unreadable_files_get_a_clear_error(self, admin_client, text, code):
        response = upload(admin_client, text)
        assert [e.code for e in response.context["form"].errors.as_data()["file"]] == [code]
        assert not ImportBatch.objects.exists()

    def test_too_many_rows(self, admin_client, settings):
        settings.IMPORT_MAX_ROWS = 3
        text = "naam;e-mailadres\n" + "".join(f"P{n};p{n}@test.example\n" for n in range(5))
        assert [e.code for e in upload(admin_client, text).context["form"].errors.as_data()["file"]] == ["too_many_rows"]

    def test_comma_separated_and_windows_encoded_files_are_read(self, admin_client):
        text = "naam,e-mailadres\nJosé Müller,jose@test.example\n"
        admin_client.post(
            reverse("accountbeheer:import"), {"file": SimpleUploadedFile("a.csv", text.encode("cp1252"), "text/csv")}
        )
        assert ImportBatch.objects.get().rows[0]["data"]["full_name"] == "José Müller"

    def test_sample_file_passes_its_own_check(self, organization, locations):
        from portal.locations.models import Location

        Location.objects.create(organization=organization, code="UTC", name="Utrecht C")
        Location.objects.create(organization=organization, code="UTO", name="Utrecht O")
        rows = imports.check_rows(organization, imports.read_rows(SimpleUploadedFile("s.csv", imports.SAMPLE.encode())))
        assert [row["errors"] for row in rows] == [[], [], []]

    def test_another_organizations_batch_is_404(self, client, other_admin, admin_client):
        upload(admin_client, GOOD_AND_BAD)
        batch = ImportBatch.objects.get()
        client.force_login(other_admin)
        assert client.get(reverse("accountbeheer:import_detail", args=[batch.pk])).status_code == 404


@pytest.mark.django_db
def test_an_import_started_by_someone_no_longer_administrator_creates_nothing(admin_client, admin_user, organization):
    from conftest import make_account

    make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
    upload(admin_client, GOOD_AND_BAD)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING)
    Membership.objects.filter(user=admin_user).update(role=Role.EMPLOYEE)
    imports.import_run.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert [r["ok"] for r in batch.results] == [False, False]
    assert not Membership.objects.filter(user__email="jan@test.example").exists()


@pytest.mark.django_db
def test_one_broken_row_does_not_stop_the_others(admin_client, monkeypatch, django_capture_on_commit_callbacks):
    from portal.organizations import services

    real = services.account_invite

    def flaky(**kwargs):
        if kwargs["email"] == "noor@test.example":
            raise RuntimeError("database hiccup")
        return real(**kwargs)

    monkeypatch.setattr(services, "account_invite", flaky)
    upload(admin_client, GOOD_AND_BAD)
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("accountbeheer:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert {r["line"]: r["ok"] for r in batch.results} == {2: False, 8: True}


@pytest.mark.django_db
def test_imports_are_rate_limited_per_administrator(admin_client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "accountbeheer_import": "1/h/user"}
    assert upload(admin_client, GOOD_AND_BAD).status_code == 302
    assert upload(admin_client, GOOD_AND_BAD).status_code == 429
    assert ImportBatch.objects.count() == 1


@pytest.mark.django_db
def test_old_finished_imports_are_pruned(admin_client):
    import time_machine
    from django.core.management import call_command
    from django.utils import timezone

    upload(admin_client, GOOD_AND_BAD)
    running = ImportBatch.objects.get()
    upload(admin_client, GOOD_AND_BAD)
    ImportBatch.objects.exclude(pk=running.pk).update(status=ImportBatch.Status.DONE)
    ImportBatch.objects.filter(pk=running.pk).update(status=ImportBatch.Status.RUNNING)
    call_command("prune_import_batches")
    assert ImportBatch.objects.count() == 2  # too young
    with time_machine.travel(timezone.now() + timezone.timedelta(days=31)):
        call_command("prune_import_batches")
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [running.pk]  # a running one stays


def upload_bytes(client, raw, name="accounts.csv"):
    return client.post(reverse("accountbeheer:import"), {"file": SimpleUploadedFile(name, raw, "text/csv")})


def row_codes(batch):
    return {row["line"]: [error["code"] for error in row["errors"]] for row in batch.rows}


@pytest.mark.django_db
class TestFilesAsSpreadsheetsWriteThem:
    def test_line_endings_of_a_mac_are_read(self, admin_client):
        text = "naam;e-mailadres\rNoor de Vries;noor@test.example\rJan Bakker;jan@test.example\r"
        assert upload(admin_client, text).status_code == 302
        assert [row["data"]["email"] for row in ImportBatch.objects.get().rows] == ["noor@test.example", "jan@test.example"]

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
    def test_unicode_text_of_excel_is_read(self, admin_client, encoding):
        """Excel's "Unicode text": UTF-16 with a byte order mark, tabs between the cells."""
        import codecs

        text = "naam\te-mailadres\r\nJosé Müller\tjose@test.example\r\n"
        bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
        assert upload_bytes(admin_client, bom + text.encode(encoding)).status_code == 302
        assert ImportBatch.objects.get().rows[0]["data"]["full_name"] == "José Müller"

    def test_a_cell_larger_than_a_spreadsheet_cell_is_a_clear_error(self, admin_client):
        text = "naam;e-mailadres\nNoor;noor@test.example\n" + "x" * (128 * 1024 + 1) + ";a@test.example\n"
        response = upload(admin_client, text)
        assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["cell_too_large"]
        assert "regel 3" in response.content.decode()
        assert not ImportBatch.objects.exists()

    @pytest.mark.parametrize(
        "raw", [b"naam;e-mailadres\nNoor\x00;noor@test.example\n", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"]
    )
    def test_a_nul_byte_or_a_binary_file_is_refused(self, admin_client, raw):
        response = upload_bytes(admin_client, raw)
        assert [e.code for e in response.context["form"].errors.as_data()["file"]] == ["not_text"]
        assert not ImportBatch.objects.exists()


@pytest.mark.django_db
class TestEachRowByTheAccountFormsRules:
    def test_what_the_account_form_refuses_is_refused_per_row(self, admin_client):
        long_email = "x" * 246 + "@example.com"  # 258 characters: the column holds 254
        text = (
            "naam;e-mailadres;telefoonnummer;functie\n"
            f"Goed;goed@test.example;030 1;Verkoper\n"
            f"Lang Adres;{long_email};;\n"
            f"{'N' * 151};lange.naam@test.example;;\n"
            f"Telefoon;tel@test.example;{'1' * 31};\n"
            f'"Twee\nRegels";regels@test.example;;\n'
            f"Stuur\x1bteken;stuur@test.example;;\n"
            f"Functie;functie@test.example;;{'f' * 101}\n"
        )
        assert upload(admin_client, text).status_code == 302
        batch = ImportBatch.objects.get()
        assert row_codes(batch) == {
            2: [], 3: ["max_length"], 4: ["max_length"], 5: ["max_length"], 6: ["line_break"], 7: ["control_character"],
            8: ["max_length"],
        }  # rows as a spreadsheet numbers them: a cell of two lines is one row  # fmt: skip
        assert batch.total == 1
        messages = {row["line"]: row["errors"][0]["message"] for row in batch.rows if row["errors"]}
        assert messages[3].startswith("E-mailadres: ") and messages[5].startswith("Telefoonnummer: ")
        shown = {row["line"]: row["data"] for row in batch.rows}
        assert len(shown[4]["full_name"]) <= 150 and "\x1b" not in shown[7]["full_name"]  # only shown, never imported
        page = admin_client.get(reverse("accountbeheer:import_detail", args=[batch.pk])).content.decode()
        assert "E-mailadres: " in page

    def test_rules_of_the_import_itself_have_codes(self, admin_client):
        upload(admin_client, GOOD_AND_BAD)
        assert row_codes(ImportBatch.objects.get()) == {
            2: [], 3: ["required"], 4: ["email_in_use"], 5: ["invalid"], 6: ["role_invalid"], 7: ["location_unknown"], 8: [],
            9: ["email_twice"],
        }  # fmt: skip

    def test_no_rights_is_the_account_forms_rule(self, admin_client):
        upload(admin_client, "naam;e-mailadres;portal;bestellen\nZonder;zonder@test.example;nee;nee\n")
        assert row_codes(ImportBatch.objects.get()) == {2: ["no_rights"]}

    def test_a_row_the_preview_accepts_is_stored(self, admin_client, django_capture_on_commit_callbacks):
        """A name that grows when decomposed, at the longest a name may be: accepted in
        the preview, so it must be stored (it failed at the database, as a "storing")."""
        upload(admin_client, f"naam;e-mailadres\n{chr(0xFDFA) * 150};lang@test.example\n")
        batch = ImportBatch.objects.get()
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("accountbeheer:import_confirm", args=[batch.pk]))
        batch.refresh_from_db()
        assert [r["ok"] for r in batch.results] == [True]
        assert Membership.objects.get(user__email="lang@test.example").user.full_name == chr(0xFDFA) * 150


GRANTS = (
    "naam;e-mailadres;rol;locaties;locatiebeheerder van;goedkeurder van;goedkeuren tot\n"
    "Lea Leiding;lea@test.example;medewerker;L1,L2;L1;L1,L2;250,50\n"
    "Geen Bedrag;bedrag@test.example;medewerker;L1;;L1;\n"
    "Niet Gekoppeld;los@test.example;medewerker;L1;L2;;\n"
    "Baas;baas@test.example;administrator;L1;L1;;\n"
    "Raar Bedrag;raar@test.example;medewerker;L1;;L1;veel\n"
)


@pytest.mark.django_db
def test_an_import_grants_location_managers_and_approvers(admin_client, locations, django_capture_on_commit_callbacks):
    from portal.organizations.services import Grants

    upload(admin_client, GRANTS)
    batch = ImportBatch.objects.get()
    errors = {row["line"]: [e["code"] for e in row["errors"]] for row in batch.rows}
    assert errors == {
        2: [], 3: ["approval_limit_required"], 4: ["grant_unlinked"], 5: ["grants_for_administrator"], 6: ["amount_invalid"]
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("accountbeheer:import_confirm", args=[batch.pk]))
    imports.import_run.call(batch.pk)
    lea = Membership.objects.get(user__email="lea@test.example")
    assert lea.manages_locations and lea.approves_orders
    assert Grants.of(lea) == Grants(
        manages=frozenset({locations[0].pk}),
        approves=frozenset({locations[0].pk, locations[1].pk}),
        approval_limit=Decimal("250.50"),
    )
    assert Membership.objects.filter(user__email__in=["bedrag@test.example", "los@test.example"]).count() == 0


@pytest.mark.django_db
def test_with_four_eyes_the_preview_refuses_what_the_import_could_not_do(admin_client, admin_user, organization):
    from conftest import make_account

    make_account(organization, "admin2@test.example", role=Role.ADMINISTRATOR)
    organization.four_eyes, organization.four_eyes_amount = True, Decimal("500")
    organization.save()
    upload(
        admin_client,
        "naam;e-mailadres;rol;bestellen\nAd Min;ad@test.example;administrator;nee\n"
        "Bo Besteller;bo@test.example;medewerker;ja\nMa Medewerker;ma@test.example;medewerker;nee\n",
    )
    batch = ImportBatch.objects.get()
    assert [[e["code"] for e in row["errors"]] for row in batch.rows] == [["four_eyes_invite"], ["four_eyes_invite"], []]
    assert batch.total == 1
