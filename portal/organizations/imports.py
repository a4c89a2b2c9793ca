"""Importing new accounts from a CSV file.

Upload: the file is read and every row checked; nothing is created. Preview: the
administrator sees each row's errors and confirms or cancels (cancel creates nothing).
Run: a task invites the accounts of the valid rows one by one, each in its own
transaction through ``account_invite``, recording progress and the outcome per row, so
a large file shows its progress and one bad row never undoes the others.
"""

import codecs
import csv
import io
import logging
import unicodedata
from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from portal.accounts.models import User, normalize_email_address
from portal.core.fields import column_length
from portal.locations.models import Location

from .forms import AccountForm
from .models import ImportBatch, Role
from .permissions import can_manage_accounts

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 25  # rows between two saves of the progress
COLUMNS = [
    "naam", "e-mailadres", "telefoonnummer", "functie", "rol", "portal", "bestellen", "locaties",
    "locatiebeheerder van", "goedkeurder van", "goedkeuren tot",
]  # fmt: skip
REQUIRED = ["naam", "e-mailadres"]
EMAIL_LENGTH = column_length(User, "email")
LOCATION_CODE_LENGTH = column_length(Location, "code")
YES = {"ja", "j", "yes", "y", "1", "waar", "true", "x"}
NO = {"nee", "n", "no", "0", "onwaar", "false", ""}
ROLES = {"administrator": Role.ADMINISTRATOR, "beheerder": Role.ADMINISTRATOR, "medewerker": Role.EMPLOYEE, "": Role.EMPLOYEE}
SAMPLE = (
    "naam;e-mailadres;telefoonnummer;functie;rol;portal;bestellen;locaties;locatiebeheerder van;goedkeurder van;goedkeuren tot\r\n"
    "Noor de Vries;noor.devries@voorbeeld.nl;030 123 45 67;Verkoper;medewerker;ja;nee;UTC;;;\r\n"
    "Sem Jansen;sem.jansen@voorbeeld.nl;;Filiaalleider;medewerker;ja;ja;UTO;UTO;UTO;500\r\n"
    "Jan Bakker;jan.bakker@voorbeeld.nl;;Directeur;administrator;ja;ja;UTC,UTO;;;\r\n"
)


class SemicolonDialect(csv.excel):
    delimiter = ";"


class ImportFileError(Exception):
    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(code)


# The byte order marks that tell a file's encoding: Excel's "Unicode text" is UTF-16.
BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
# Python's csv module reads a cell of at most this many characters (csv.field_size_limit).
CELL_MAX = 128 * 1024


def _decode(raw: bytes) -> str:
    encodings = [encoding for bom, encoding in BOMS if raw.startswith(bom)] or ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # no spreadsheet writes it in a CSV file; a binary file (.xlsx) has it
            break
        return text
    else:
        raise ImportFileError("encoding", _("Het bestand kon niet worden gelezen. Sla het op als CSV (UTF-8)."))
    raise ImportFileError(
        "not_text",
        _("Dit is geen CSV-bestand: het bevat tekens die niet in tekst horen. Is het misschien een Excel-bestand? "
          "Sla het op als CSV (UTF-8) en probeer het opnieuw."),
    )  # fmt: skip


def _dialect(text):
    sample = text[:4096].replace("\r\n", "\n").replace("\r", "\n")  # the sniffer counts lines by "\n"
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        return SemicolonDialect


def _records(text):
    """The file's rows, numbered as a spreadsheet numbers them (a cell of two lines is
    one row); line endings of Windows, Unix and old Macs alike."""
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    line = 0
    try:
        for line, values in enumerate(reader, start=1):
            yield line, values
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise ImportFileError(
                "cell_too_large",
                _("Een cel in regel %(line)d is te lang (meer dan %(kb)d KB). Kijk het bestand na.")
                % {"line": line + 1, "kb": CELL_MAX // 1024},
            ) from error
        raise ImportFileError(
            "unreadable",
            _("Regel %(line)d van het bestand kon niet worden gelezen. Sla het op als CSV (UTF-8).") % {"line": line + 1},
        ) from error


def read_rows(uploaded):
    """The rows of an uploaded CSV file as dicts keyed by the column names."""
    if uploaded.size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            "too_large", _("Het bestand is te groot (maximaal %(mb)d MB).") % {"mb": settings.IMPORT_MAX_BYTES // 2**20}
        )
    records = _records(_decode(uploaded.read()))
    header = [h.strip().lower() for h in next(records, (1, []))[1]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            "missing_columns",
            _("De kolommen %(columns)s ontbreken. De eerste regel moet de kolomnamen bevatten: %(all)s.")
            % {"columns": ", ".join(missing), "all": ";".join(COLUMNS)},
        )
    rows = []
    for line, values in records:
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}))
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                "too_many_rows",
                _("Het bestand heeft meer dan %(max)d regels. Splits het op.") % {"max": settings.IMPORT_MAX_ROWS},
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
    errors.append(("flag_invalid", _("%(column)s moet ja of nee zijn.") % {"column": column}))
    return False


def _shown(value, length):
    """A value of the file as the preview may show it: without control characters and
    no longer than its column (only a row without errors is imported, as it was typed)."""
    text = "".join(c for c in value if unicodedata.category(c) != "Cc")
    return text if len(text) <= length else text[: length - 1] + "…"


class RowForm(AccountForm):
    """The account form, for one row of a file: the same rules as an account typed in
    Accountbeheer, without what a file does not hold (an order limit) or holds in its
    own way (locations, by their codes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("locations", "order_limit", *self.GRANT_FIELDS):
            del self.fields[name]


PERSONAL_COLUMNS = {"full_name": "naam", "email": "e-mailadres", "phone": "telefoonnummer", "job_title": "functie"}


def _form_errors(form):
    """(code, message) for each error of the row's form, the message naming the column."""
    errors = []
    for field, field_errors in form.errors.as_data().items():
        label = form.fields[field].label if field in form.fields else None
        for error in field_errors:
            message = " ".join(error.messages)
            if error.code == "required" and label:
                message = _("%(column)s ontbreekt.") % {"column": label}
            elif label and field in PERSONAL_COLUMNS:
                message = f"{label}: {message}"
            errors.append((error.code, message))
    return errors


def check_rows(organization, rows):
    """Each row with its cleaned data and its errors (each with its code, in Dutch).
    Nothing is written."""
    codes = dict(organization.locations.values_list("code", "pk"))
    emails = [normalize_email_address(data.get("e-mailadres", "")) for _line, data in rows]
    # Only what is in use in the organization itself: an address in use elsewhere is
    # invited like a free one (its owner is told instead, see services.addresses).
    wanted = [e for e in emails if e and len(e) <= EMAIL_LENGTH]
    taken = set(User.objects.filter(email__in=wanted, organization=organization).values_list("email", flat=True))
    seen = set()
    form = RowForm({}, organization=organization)  # one form, filled with each row in turn
    checked = [_checked_row(form, line, data, email, codes, taken, seen) for (line, data), email in zip(rows, emails)]
    if organization.four_eyes:
        for row in checked:
            _four_eyes_errors(organization, row)
    return checked


def _four_eyes_errors(organization, row):
    """With four eyes on, a row that would make an administrator or let someone order
    without a limit (a file holds none) is refused now, not when the import runs."""
    from .services.four_eyes import needs_second_administrator

    data = row["data"]
    nothing = {"role": Role.EMPLOYEE, "may_order": False, "order_limit": None}
    wanted = {"role": data["role"], "may_order": data["may_order"], "order_limit": None}
    if needs_second_administrator(organization, nothing, wanted):
        row["errors"].append({
            "code": "four_eyes_invite",
            "message": _(
                "Je organisatie gebruikt vier ogen: een import maakt niemand administrator en laat niemand bestellen "
                "(een bestand heeft geen bestellimiet). Zet rol op medewerker en bestellen op nee, en wijzig het "
                "account na de import; een andere administrator keurt dat dan goed."
            ),
        })  # fmt: skip


def _checked_row(form, line, data, email, codes, taken, seen):
    """One row: its values through the form, its address against the organization's and
    the file's, its location codes against the organization's."""
    errors = []
    role = ROLES.get(data.get("rol", "").strip().lower())
    if role is None:
        errors.append(("role_invalid", _("Rol moet administrator of medewerker zijn.")))
    portal = _flag(data.get("portal", "ja") or "ja", errors, "portal")
    order = _flag(data.get("bestellen", ""), errors, "bestellen")
    form.data = {
        **{field: data.get(column, "") for field, column in PERSONAL_COLUMNS.items()},
        "role": role or Role.EMPLOYEE, "may_use_portal": portal, "may_order": order,
    }  # fmt: skip
    form.full_clean()
    errors += _form_errors(form)
    if email and "email" not in form.errors:
        errors += _address_errors(email, taken, seen)
    location_codes = _codes(data.get("locaties", ""))
    manages, approves = _codes(data.get("locatiebeheerder van", "")), _codes(data.get("goedkeurder van", ""))
    unknown = [_shown(c, LOCATION_CODE_LENGTH) for c in dict.fromkeys(location_codes + manages + approves) if c not in codes]
    if unknown:
        errors.append(("location_unknown", _("Onbekende locatiecode(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    grants = _grants(role, location_codes, manages, approves, data.get("goedkeuren tot", ""), errors)
    return {
        "line": line,
        "data": {
            **_shown_values(form, data, email, errors),
            "role": role or Role.EMPLOYEE,
            "may_use_portal": portal,
            "may_order": order,
            "locations": [codes[c] for c in location_codes if c in codes],
            "manages": [codes[c] for c in manages if c in codes],
            "approves": [codes[c] for c in approves if c in codes],
            "approval_limit": grants,
        },
        "errors": [{"code": code, "message": str(message)} for code, message in errors],
    }


def _codes(value):
    return [c.strip().upper() for c in value.replace("|", ",").split(",") if c.strip()]


def _grants(role, linked, manages, approves, amount, errors):
    """Check what a row grants (the rules of ``services.rules._check_grants``, said per
    row); the amount up to which it approves, as text ("250.00"), or None."""
    from .services.rules import AccountRuleError

    limit = None
    if amount.strip():
        try:
            limit = AMOUNT_FIELD.clean(amount.strip())
        except forms.ValidationError:
            errors.append(("amount_invalid", _("Goedkeuren tot moet een bedrag in euro zijn, bijvoorbeeld 250 of 250,00.")))
    if not (manages or approves):
        return None
    if role == Role.ADMINISTRATOR:
        errors.append(("grants_for_administrator", AccountRuleError.MESSAGES["grants_for_administrator"]))
    elif not set(manages + approves) <= set(linked):
        errors.append(("grant_unlinked", AccountRuleError.MESSAGES["grant_unlinked"]))
    if approves and limit is None and not amount.strip():
        errors.append(("approval_limit_required", AccountRuleError.MESSAGES["approval_limit_required"]))
    return f"{limit:.2f}" if approves and limit is not None else None


AMOUNT_FIELD = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2, localize=True)


def _address_errors(email, taken, seen):
    errors = []
    if email in taken:
        errors.append(("email_in_use", _("%(email)s heeft al een account in je organisatie.") % {"email": email}))
    elif email in seen:
        errors.append(("email_twice", _("%(email)s staat vaker in het bestand.") % {"email": email}))
    seen.add(email)
    return errors


def _shown_values(form, data, email, errors):
    """The personal values as the preview shows them: cleaned, or as typed (cut short) when
    the row has errors."""
    if not errors:
        return {field: form.cleaned_data[field] for field in PERSONAL_COLUMNS}
    shown = {field: _shown(data.get(column, ""), column_length(User, field)) for field, column in PERSONAL_COLUMNS.items()}
    shown["email"] = _shown(email, column_length(User, "email"))
    return shown


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
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(status=ImportBatch.Status.RUNNING)
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

    locations = {loc.pk: loc for loc in Location.objects.filter(organization=batch.organization)}
    for row in _rows_to_do(batch):
        data = dict(row["data"])
        chosen = [locations[pk] for pk in data.pop("locations") if pk in locations]
        limit = data.pop("approval_limit", None)
        grants = services.Grants(
            manages=frozenset(data.pop("manages", ())),
            approves=frozenset(data.pop("approves", ())),
            approval_limit=Decimal(limit) if limit is not None else None,
        )
        try:
            services.account_invite(
                actor=batch.created_by, organization=batch.organization, locations=chosen, grants=grants, **data
            )
        except services.AccountRuleError as error:
            _record(batch, row["line"], False, error.message)
        except Exception:
            logger.exception("import %s: line %s failed", batch.pk, row["line"])
            _record(batch, row["line"], False, _("Niet gelukt door een storing. Probeer deze regel opnieuw."))
        else:
            _record(batch, row["line"], True, _("Uitgenodigd"))
