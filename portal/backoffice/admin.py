"""Master data in Django's admin, in Dutch: locations with their departments and
addresses, categories and products.

The admin is the mature tool for lists with search and filters and forms for plain
records, so it is not written again by hand. It is its own site under /backoffice/,
fitted to the portal's rules:

- a customer gets 404 on every URL of it, an anonymous visitor the portal's login page;
- what a staff member may do is their group's permissions (the account manager edits,
  online customer service only looks);
- there is no password page: staff never set or see a password;
- something that orders or requests refer to is archived, not deleted, with a Dutch
  message that says so; every change is recorded in the audit trail.
"""

from functools import update_wrapper

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.auth.views import redirect_to_login
from django.db import models, router, transaction
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_record
from portal.core.fields import id_from, validate_one_line, validate_text
from portal.help.models import FaqQuestion, FaqTopic
from portal.locations.models import Address, Department, Location
from portal.ordering.models import Category, Product

from .permissions import is_staff_member


class BackofficeAdminSite(admin.AdminSite):
    site_header = _("HartingBank backoffice")
    site_title = _("HartingBank backoffice")
    index_title = _("Stamgegevens")
    site_url = reverse_lazy("backoffice:home")
    enable_nav_sidebar = False
    final_catch_all_view = False  # an unknown address is a plain 404, for everyone

    def has_permission(self, request):
        return is_staff_member(request.user)

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not is_staff_member(request.user):
                raise Http404  # for a customer, the back office does not exist
            return checked(request, *args, **kwargs)

        return update_wrapper(inner, checked)

    def login(self, request, extra_context=None):
        """Staff log in on the portal's login page, like everyone."""
        if request.user.is_authenticated and not is_staff_member(request.user):
            raise Http404
        return redirect_to_login(request.GET.get("next") or reverse("backoffice_admin:index"), settings.LOGIN_URL)

    def get_urls(self):
        """Without the admin's password change (staff never set a password here); every
        view sends an anonymous visitor to the portal's login page."""
        urls = [
            url
            for url in super().get_urls()
            if not (isinstance(url, URLPattern) and url.name in {"password_change", "password_change_done"})
        ]
        for url in urls:
            if isinstance(url, URLPattern) and hasattr(url.callback, "login_url"):
                url.callback.login_url = settings.LOGIN_URL
        moved = path("support/<path:rest>", self.admin_view(self.faq_moved), name="support_moved")
        return [moved, *urls]

    def faq_moved(self, request, rest):
        """The FAQ's master data were the app "support"'s and are "help"'s now: their old
        addresses (…/stamgegevens/support/faqquestion/…) lead to the new ones."""
        target = reverse("backoffice_admin:index") + "help/" + rest
        if request.GET:
            target += "?" + request.GET.urlencode()
        return HttpResponsePermanentRedirect(target)


site = BackofficeAdminSite(name="backoffice_admin")
site.disable_action("delete_selected")  # one by one, so a referenced record gets its message


def _changes(form):
    """What a save changed, for the audit trail: {field label: [old, new]}."""
    changes = {}
    for name in form.changed_data:
        field = form.fields[name]
        old = form.initial.get(name)
        new = form.cleaned_data.get(name)
        if hasattr(field, "queryset"):  # a related record: its name
            old = str(field.queryset.model._default_manager.filter(pk=old).first() or "") if old else None
            new = str(new) if new is not None else None
        changes[str(field.label)] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    return value if value is None or isinstance(value, (str, bool, int)) else str(value)


def _organization_of(obj):
    if isinstance(obj, Location):
        return obj.organization
    location = getattr(obj, "location", None)
    return location.organization if location is not None else None


def _record(request, action, obj, changes=None):
    audit_record(
        action,
        actor=request.user,
        organization=_organization_of(obj),
        request=request,
        changes={"object": f"{obj._meta.verbose_name} {obj}", **(changes or {})},
    )


class InputRules:
    """Master data is typed by the rules of every form (``portal.core.fields``): a
    one-line column refuses line breaks and control characters, a text column control
    characters; the admin already limits each to its column's length."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.CharField):
            if isinstance(db_field, models.TextField):
                formfield.validators.append(validate_text)
            elif isinstance(db_field, models.CharField):
                formfield.validators.append(validate_one_line)
        return formfield


class AuditedAdmin(InputRules, admin.ModelAdmin):
    """Every save and delete in the audit trail; what is in use is not deleted."""

    in_use_message = _("Dit wordt gebruikt en kan daarom niet worden verwijderd. Archiveer het.")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = _changes(form)
        if changes or not change:
            _record(request, "master_data_changed" if change else "master_data_created", obj, changes)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms and inline_form.instance.pk:
                _record(request, "master_data_deleted", inline_form.instance)
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, "master_data_created", obj)
        forms_by_object = {inline_form.instance.pk: inline_form for inline_form in formset.forms}
        for obj, _fields in formset.changed_objects:
            _record(request, "master_data_changed", obj, _changes(forms_by_object[obj.pk]))

    def response_action(self, request, queryset):
        """An action runs on the ids of the selection only: the admin looked up whatever
        was sent (an empty or non-numeric value failed the query, a number no column
        holds overflowed it). Without any id, it says that nothing was chosen."""
        selection = request.POST.getlist(ACTION_CHECKBOX_NAME)
        ids = [str(pk) for pk in map(id_from, selection) if pk is not None]
        if ids != selection:
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, ids)
        return super().response_action(request, queryset)

    def delete_model(self, request, obj):
        _record(request, "master_data_deleted", obj)
        super().delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        """Something that orders or requests refer to cannot be deleted (the database
        protects it): say so in plain Dutch and offer archiving, instead of the admin's
        list of protected objects."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj) and is_referenced(obj):
            self.message_user(request, self.in_use_message, messages.ERROR)
            return redirect(f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)


class MasterDataAdmin(AuditedAdmin):
    """Archiving instead of deleting: no longer offered for new orders and requests."""

    actions = ["archive", "unarchive"]

    @admin.action(permissions=["change"], description=_("Archiveren: niet meer aanbieden voor nieuwe bestellingen en aanvragen"))
    def archive(self, request, queryset):
        self._set_archived(request, queryset, True)

    @admin.action(permissions=["change"], description=_("Weer aanbieden (archivering opheffen)"))
    def unarchive(self, request, queryset):
        self._set_archived(request, queryset, False)

    @transaction.atomic
    def _set_archived(self, request, queryset, archived):
        changed = [obj for obj in queryset if obj.is_archived != archived]
        for obj in changed:
            obj.is_archived = archived
            obj.save(update_fields=["is_archived"])
            _record(request, "master_data_changed", obj, {str(_("gearchiveerd")): [not archived, archived]})
        self.message_user(
            request,
            (_("%(count)d gearchiveerd.") if archived else _("%(count)d weer aangeboden.")) % {"count": len(changed)},
            messages.SUCCESS,
        )


def yes_no(model, name):
    """A yes/no column with Django's icon, whose alternative text is in the reader's
    language: Django writes alt="True" and alt="False", which a screen reader reads out."""

    @admin.display(description=model._meta.get_field(name).verbose_name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        icon = static("admin/img/icon-yes.svg" if value else "admin/img/icon-no.svg")
        return format_html('<img src="{}" alt="{}">', icon, _("ja") if value else _("nee"))

    column.__name__ = name  # the column's CSS class, as for the field itself
    return column


def is_referenced(obj):
    """Whether deleting ``obj`` would hit a protected reference (an order, a request)."""
    collector = NestedObjects(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    return bool(collector.protected)


class DepartmentInline(InputRules, admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name", "is_archived"]


class AddressInline(InputRules, admin.StackedInline):
    model = Address
    extra = 0
    max_num = 2
    fields = ["kind", "street", "postal_code", "city"]


@admin.register(Location, site=site)
class LocationAdmin(MasterDataAdmin):
    list_display = ["name", "code", "organization", yes_no(Location, "is_archived")]
    list_filter = ["is_archived"]
    search_fields = ["name", "code", "organization__name", "organization__customer_number"]
    list_select_related = ["organization"]
    fields = ["organization", "name", "code", "is_archived"]
    inlines = [AddressInline, DepartmentInline]
    in_use_message = _(
        "Deze locatie (of een afdeling ervan) staat op bestellingen of aanvragen en kan daarom niet worden "
        "verwijderd. Archiveer haar: dan blijft ze bij die bestellingen en aanvragen staan, maar wordt ze niet "
        "meer aangeboden voor nieuwe."
    )

    def get_readonly_fields(self, request, obj=None):
        return ["organization"] if obj is not None else []  # a location stays with its organization


@admin.register(Department, site=site)
class DepartmentAdmin(MasterDataAdmin):
    list_display = ["name", "location", yes_no(Department, "is_archived")]
    list_filter = ["is_archived"]
    search_fields = ["name", "location__name", "location__code", "location__organization__name"]
    list_select_related = ["location"]
    fields = ["location", "name", "is_archived"]
    in_use_message = _(
        "Deze afdeling staat op bestellingen of serviceaanvragen en kan daarom niet worden verwijderd. "
        "Archiveer haar: dan wordt ze niet meer aangeboden voor nieuwe."
    )

    def get_readonly_fields(self, request, obj=None):
        return ["location"] if obj is not None else []


@admin.register(Category, site=site)
class CategoryAdmin(MasterDataAdmin):
    list_display = ["name", "position", yes_no(Category, "is_archived")]
    list_filter = ["is_archived"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    in_use_message = _(
        "Deze categorie heeft producten en kan daarom niet worden verwijderd. Archiveer haar: dan worden haar "
        "producten niet meer aangeboden."
    )


@admin.register(Product, site=site)
class ProductAdmin(MasterDataAdmin):
    list_display = ["code", "name", "category", "price", "vat_rate", yes_no(Product, "is_archived")]
    list_filter = ["is_archived", "category"]
    search_fields = ["code", "name"]
    list_select_related = ["category"]
    in_use_message = _(
        "Dit product staat op bestellingen en kan daarom niet worden verwijderd. Archiveer het: dan blijft het "
        "bij die bestellingen staan, maar wordt het niet meer aangeboden."
    )


@admin.register(FaqTopic, site=site)
class FaqTopicAdmin(AuditedAdmin):
    list_display = ["title", "order", yes_no(FaqTopic, "is_published")]
    list_filter = ["is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    in_use_message = _(
        "Dit onderwerp heeft vragen en kan daarom niet worden verwijderd. Verplaats of verwijder eerst de vragen, of zet het onderwerp op niet gepubliceerd."
    )


@admin.register(FaqQuestion, site=site)
class FaqQuestionAdmin(AuditedAdmin):
    list_display = ["question", "topic", "order", yes_no(FaqQuestion, "is_published"), "updated_at"]
    list_filter = ["is_published", "topic"]
    search_fields = ["question", "answer"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ["question"]}
