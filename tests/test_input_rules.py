"""Every form of the portal follows the rules for typed values (portal.core.fields):
text fields are one line or text of several lines, with a length no longer than the
column the value goes into; dates are in range; choices of records check their ids."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.contrib.admin.sites import all_sites

import portal
from portal.accounts.models import User
from portal.changes.models import ChangeRequest, ChangeRequestMessage
from portal.contact.models import ContactMessage, ContactReply
from portal.core import fields as rules
from portal.ordering.models import Order
from portal.organizations.models import Organization
from portal.service.models import ServiceMessage, ServiceRequest


def portal_forms():
    """Every form class defined in the portal's own modules."""
    found = {}
    for module_info in pkgutil.walk_packages(portal.__path__, "portal."):
        if ".tests" in module_info.name or ".migrations" in module_info.name:
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__.startswith("portal."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


FORMS = portal_forms()
PASSWORD_FIELDS = {"password", "password1", "password2", "oldpassword"}  # passwords: never stored as typed


def text_fields():
    for name, form in sorted(FORMS.items()):
        for field_name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and field_name not in PASSWORD_FIELDS:
                yield pytest.param(form, field_name, field, id=f"{name}.{field_name}")


def test_the_forms_are_found():
    assert {"portal.organizations.forms.AccountForm", "portal.contact.forms.ContactForm",
            "portal.backoffice.forms.AdministratorInviteForm"} <= set(FORMS)  # fmt: skip


@pytest.mark.parametrize("form, name, field", list(text_fields()))
def test_every_text_field_has_a_length_and_a_kind(form, name, field):
    if isinstance(field, forms.UUIDField):
        return  # a UUID has its own form and length
    assert field.max_length is not None, "a text field needs the length of its column"
    if not isinstance(field, (forms.EmailField, forms.SlugField, forms.URLField, forms.UUIDField)):
        assert isinstance(field, (rules.LineField, rules.TextField)), "one line (LineField) or several (TextField)"


@pytest.mark.parametrize(
    "form, name",
    [pytest.param(form, name, id=f"{key}.{name}") for key, form in sorted(FORMS.items()) for name, field in form.base_fields.items()
     if isinstance(field, (forms.DateField, forms.ModelChoiceField))],
)  # fmt: skip
def test_dates_and_choices_of_records_use_the_portals_fields(form, name):
    field = form.base_fields[name]
    assert isinstance(field, (rules.DateField, rules.ModelChoiceField, rules.ModelMultipleChoiceField))


def form(path):
    return FORMS[path]


# Where the value of a form field is stored: the field may not be longer than the column.
COLUMNS = [
    ("portal.organizations.forms.AccountForm", "full_name", User, "full_name"),
    ("portal.organizations.forms.AccountForm", "email", User, "email"),
    ("portal.organizations.forms.AccountForm", "phone", User, "phone"),
    ("portal.organizations.forms.AccountForm", "job_title", User, "job_title"),
    ("portal.backoffice.forms.AdministratorInviteForm", "full_name", User, "full_name"),
    ("portal.backoffice.forms.AdministratorInviteForm", "email", User, "email"),
    ("portal.backoffice.forms.AdministratorInviteForm", "phone", User, "phone"),
    ("portal.backoffice.forms.AdministratorInviteForm", "job_title", User, "job_title"),
    ("portal.backoffice.forms.OrganizationCreateForm", "name", Organization, "name"),
    ("portal.backoffice.forms.OrganizationCreateForm", "customer_number", Organization, "customer_number"),
    ("portal.backoffice.forms.OrganizationUpdateForm", "name", Organization, "name"),
    ("portal.ordering.forms.CheckoutForm", "reference", Order, "reference"),
    ("portal.ordering.forms.CheckoutForm", "remarks", Order, "remarks"),
    ("portal.ordering.forms.RejectForm", "reason", Order, "rejection_reason"),
    ("portal.service.forms.ServiceRequestForm", "subject", ServiceRequest, "subject"),
    ("portal.service.forms.ServiceRequestForm", "description", ServiceRequest, "description"),
    ("portal.service.forms.MessageForm", "body", ServiceMessage, "body"),
    ("portal.changes.forms.ChangeRequestForm", "description", ChangeRequest, "description"),
    ("portal.changes.forms.MessageForm", "body", ChangeRequestMessage, "body"),
    ("portal.contact.forms.ContactForm", "name", ContactMessage, "name"),
    ("portal.contact.forms.ContactForm", "email", ContactMessage, "email"),
    ("portal.contact.forms.ContactForm", "phone", ContactMessage, "phone"),
    ("portal.contact.forms.ContactForm", "subject", ContactMessage, "subject"),
    ("portal.contact.forms.ContactForm", "message", ContactMessage, "message"),
    ("portal.contact.forms.FollowUpForm", "body", ContactMessage, "message"),
    ("portal.backoffice.forms.ReplyForm", "body", ChangeRequestMessage, "body"),  # the shortest of the three
    ("portal.backoffice.forms.ReplyForm", "body", ContactReply, "body"),
    ("portal.backoffice.forms.CarryOutForm", "body", ChangeRequestMessage, "body"),
]


@pytest.mark.parametrize("path, name, model, column", COLUMNS, ids=[f"{p.rsplit('.', 1)[1]}.{n}" for p, n, *_ in COLUMNS])
def test_a_field_is_no_longer_than_its_column(path, name, model, column):
    assert form(path).base_fields[name].max_length <= rules.column_length(model, column)


def test_the_admin_checks_master_data_the_same_way(rf):
    """The back office's master data (Django's admin): a one-line column refuses line
    breaks and control characters, a text column control characters."""
    from portal.backoffice.admin import site

    assert site in all_sites
    checked = 0
    for model, model_admin in site._registry.items():
        admins = [model_admin, *(inline(model, site) for inline in model_admin.inlines)]
        for each in admins:
            for db_field in each.model._meta.get_fields():
                if not hasattr(db_field, "get_internal_type") or db_field.get_internal_type() not in ("CharField", "TextField"):
                    continue
                formfield = each.formfield_for_dbfield(db_field, rf.get("/"))
                if formfield is None or not isinstance(formfield, forms.CharField):
                    continue
                expected = rules.validate_text if db_field.get_internal_type() == "TextField" else rules.validate_one_line
                assert expected in formfield.validators, f"{each.model.__name__}.{db_field.name}"
                checked += 1
    assert checked >= 10
