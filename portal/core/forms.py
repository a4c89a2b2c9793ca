"""How every form field is rendered: a label without a colon, help text and errors
tied to the input with aria-describedby, so a screen reader reads the error with it."""

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


class PortalBoundField(BoundField):
    @property
    def aria_describedby(self):
        ids = (super().aria_describedby or "").split()
        if self.errors and self.auto_id:
            ids.append(f"{self.auto_id}_errors")
        return " ".join(ids) or None


class PortalFormRenderer(DjangoTemplates):
    field_template_name = "core/field.html"
    bound_field_class = PortalBoundField
