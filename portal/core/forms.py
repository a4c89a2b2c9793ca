"""How every form field is rendered: a label without a colon, help text and errors
tied to the input with aria-describedby, so a screen reader reads the error with it."""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


class PortalBoundField(BoundField):
    @property
    def aria_describedby(self):
        # Django names its own error list "<id>_error"; the portal's is "<id>_errors"
        # (core/field.html), so Django's id would point at nothing.
        ids = [i for i in (super().aria_describedby or "").split() if i != f"{self.auto_id}_error"]
        if self.errors and self.auto_id:
            ids.append(f"{self.auto_id}_errors")
        return " ".join(ids) or None


class PortalFormRenderer(DjangoTemplates):
    field_template_name = "core/field.html"
    bound_field_class = PortalBoundField


def filter_controls(form):
    """A list's filter form as plain data, for ``core/_filter_fields.html``: one loop in
    the page, where Django's widget templates (an include per field and per option) were
    a third of the Accountbeheer page's cost."""
    controls = []
    for field in form.visible_fields():
        value = field.value()
        value = "" if value is None else str(value)
        widget = field.field.widget
        options = None
        if hasattr(field.field, "choices"):
            options = [(str(v), label, str(v) == value) for v, label in field.field.choices]
        controls.append(
            {"name": field.html_name, "id": field.auto_id, "label": field.label, "value": value, "options": options,
             "errors": field.errors, "type": widget.attrs.get("type") or getattr(widget, "input_type", "text"),
             "maxlength": getattr(field.field, "max_length", None)}
        )  # fmt: skip
    return controls
