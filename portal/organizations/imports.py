"""Importing new accounts from a CSV file.

Upload: the file is read and every row checked; nothing is created. Preview: the
administrator sees each row's errors and confirms or cancels (cancel creates nothing).
Run: a task invites the accounts of the valid rows one by one, each in its own
transaction through ``account_invite``, recording progress and the outcome per row, so
a large file shows its progress and one bad row never undoes the others.
"""

import csv
import io
import logging

from django.conf import settings
from django.core.validators import validate_email
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from portal.accounts.models import User, normalize_email_address

from .models import ImportBatch, Role
from .permissions import can_manage_accounts

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 25  # rows between two saves of the progress
COLUMNS = ["naam", "e-mailadres", "telefoonnummer", "functie", "rol", "portal", "bestellen", "locaties"]
REQUIRED = ["naam", "e-mailadres"]
YES = {"ja", "j", "yes", "y", "1", "waar", "true", "x"}
NO = {"nee", "n", "no", "0", "onwaar", "false", ""}
ROLES = {"administrator": Role.ADMINISTRATOR, "beheerder": Role.ADMINISTRATOR, "medewerker": Role.EMPLOYEE, "": Role.EMPLOYEE}
SAMPLE = (
    "naam;e-mailadres;telefoonnummer;functie;rol;portal;bestellen;locaties\r\n"
    "Noor de Vries;noor.devries@voorbeeld.nl;030 123 45 67;Verkoper;medewerker;ja;nee;UTC\r\n"
    "Jan Bakker;jan.bakker@voorbeeld.nl;;Filiaalleider;administrator;ja;ja;UTC,UTO\r\n"
)


class SemicolonDialect(csv.excel):
    delimiter = ";"


class ImportFileError(Exception):
    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(code)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("encoding", _("Het bestand kon niet worden gelezen. Sla het op als CSV (UTF-8)."))


def read_rows(uploaded):
    """The rows of an uploaded CSV file as dicts keyed by the column names."""
    if uploaded.size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError("too_large", _("Het bestand is te groot (maximaal %(mb)d MB).") % {"mb": settings.IMPORT_MAX_BYTES // 2**20})
    text = _decode(uploaded.read())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = SemicolonDialect
    reader = csv.reader(io.StringIO(text), dialect)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            "missing_columns",
            _("De kolommen %(columns)s ontbreken. De eerste regel moet de kolomnamen bevatten: %(all)s.")
            % {"columns": ", ".join(missing), "all": ";".join(COLUMNS)},
        )
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}))
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                "too_many_rows", _("Het bestand heeft meer dan %(max)d regels. Splits het op.") % {"max": settings.IMPORT_MAX_ROWS}
            )
    if not rows:
        raise ImportFileError("empty", _("Het bestand bevat geen accounts."))
    return rows


def _flag(value, errors, column):
    value = value.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    errors.append(_("%(column)s moet ja of nee zijn.") % {"column": column})
    return False


def check_rows(organization, rows):
    """Each row with its cleaned data and its errors (in Dutch). Nothing is written."""
    codes = dict(organization.locations.values_list("code", "pk"))
    emails = [normalize_email_address(data.get("e-mailadres", "")) for _line, data in rows]
    taken = set(User.objects.filter(email__in=[e for e in emails if e]).values_list("email", flat=True))
    seen = set()
    checked = []
    for (line, data), email in zip(rows, emails):
        errors = []
        name = data.get("naam", "")
        if not name:
            errors.append(_("Naam ontbreekt."))
        if not email:
            errors.append(_("E-mailadres ontbreekt."))
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("%(email)s is geen geldig e-mailadres.") % {"email": email})
            if email in taken:
                errors.append(_("%(email)s is al in gebruik voor een account.") % {"email": email})
            elif email in seen:
                errors.append(_("%(email)s staat vaker in het bestand.") % {"email": email})
            seen.add(email)
        role = ROLES.get(data.get("rol", "").strip().lower())
        if role is None:
            errors.append(_("Rol moet administrator of medewerker zijn."))
        portal = _flag(data.get("portal", "ja") or "ja", errors, "portal")
        order = _flag(data.get("bestellen", ""), errors, "bestellen")
        if not portal and not order and role != Role.ADMINISTRATOR:
            errors.append(_("Kies ten minste één recht: portal of bestellen."))
        location_codes = [c.strip().upper() for c in data.get("locaties", "").replace("|", ",").split(",") if c.strip()]
        unknown = [c for c in location_codes if c not in codes]
        if unknown:
            errors.append(_("Onbekende locatiecode(s): %(codes)s.") % {"codes": ", ".join(unknown)})
        checked.append(
            {
                "line": line,
                "data": {
                    "full_name": name[:150], "email": email, "phone": data.get("telefoonnummer", "")[:30],
                    "job_title": data.get("functie", "")[:100], "role": role or Role.EMPLOYEE,
                    "may_use_portal": portal, "may_order": order, "locations": [codes[c] for c in location_codes if c in codes],
                },  # fmt: skip
                "errors": [str(e) for e in errors],
            }
        )
    return checked


def import_prepare(*, actor, organization, uploaded):
    """Read and check a file; keep it as a batch waiting for confirmation."""
    checked = check_rows(organization, read_rows(uploaded))
    return ImportBatch.objects.create(
        organization=organization,
        created_by=actor,
        filename=uploaded.name[:200],
        rows=checked,
        total=sum(1 for row in checked if not row["errors"]),
    )


def import_cancel(*, actor, batch):
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.CANCELLED, rows=[]
    )
    return bool(updated)


def import_start(*, actor, batch):
    """Confirmed: queue the run. A second click finds the batch running already."""
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.RUNNING
    )
    if updated:
        transaction.on_commit(lambda: import_run.enqueue(batch.pk))
    return bool(updated)


@task()
def import_run(batch_id):
    batch = ImportBatch.objects.select_related("organization", "created_by__membership").get(pk=batch_id)
    try:
        if can_manage_accounts(batch.created_by, batch.organization):
            _invite_rows(batch)
        else:  # no longer an administrator by the time the import runs
            _refuse_rows(batch, _("Niet uitgevoerd: wie de import startte, is geen administrator meer."))
    finally:
        batch.status = ImportBatch.Status.DONE
        batch.save(update_fields=["results", "processed", "status"])


def _rows_to_do(batch):
    done = {result["line"] for result in batch.results}
    return [row for row in batch.rows if not row["errors"] and row["line"] not in done]


def _record(batch, line, ok, message):
    batch.results.append({"line": line, "ok": ok, "message": str(message)})
    batch.processed += 1
    if batch.processed % PROGRESS_EVERY == 0:
        batch.save(update_fields=["results", "processed"])


def _refuse_rows(batch, message):
    for row in _rows_to_do(batch):
        _record(batch, row["line"], False, message)


def _invite_rows(batch):
    from . import services
    from portal.locations.models import Location

    locations = {loc.pk: loc for loc in Location.objects.filter(organization=batch.organization)}
    for row in _rows_to_do(batch):
        data = dict(row["data"])
        chosen = [locations[pk] for pk in data.pop("locations") if pk in locations]
        try:
            services.account_invite(actor=batch.created_by, organization=batch.organization, locations=chosen, **data)
        except services.AccountRuleError as error:
            _record(batch, row["line"], False, error.message)
        except Exception:  # noqa: BLE001 - one broken row never stops the others
            logger.exception("import %s: line %s failed", batch.pk, row["line"])
            _record(batch, row["line"], False, _("Niet gelukt door een storing. Probeer deze regel opnieuw."))
        else:
            _record(batch, row["line"], True, _("Uitgenodigd"))
