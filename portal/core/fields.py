"""The rules every value a person sends passes before it reaches the database.

- **One-line text** (a name, a phone number, a subject, a reference, a search):
  ``LineField``; refuses line breaks and other control characters.
- **Text of several lines** (a description, a message): ``TextField``; keeps line
  breaks and tabs, refuses other control characters.
- Both, like every ``CharField`` of Django, refuse NUL characters (code
  ``null_characters_not_allowed``) and need a ``max_length``: the length of the column
  the value goes into (``column_length``), so a value that does not fit is refused in the
  form, never by the database.
- **Dates**: ``DateField`` accepts a day between ``EARLIEST_DATE`` and ``LATEST_DATE``
  (code ``date_out_of_range``): a day at the end of the calendar cannot be turned into a
  moment in a time zone, nor can a day be added to it.
- **Ids** (a choice of a record, a cursor, a page): ``ModelChoiceField`` and
  ``ModelMultipleChoiceField`` check that every id is a whole number a database column
  can hold before they look it up; ``id_from`` does the same for a single id read from
  a query string.
"""

import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# The line breaks Python and browsers know besides "\n" and "\r".
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
# Kept in text of several lines.
TEXT_WHITESPACE = frozenset("\n\r\t")
NUL = "\x00"  # Django's own validator refuses it, with its own code

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)

# The largest id a database column holds (a 64-bit signed integer).
ID_MAX = 2**63 - 1


def _is_control(character):
    return unicodedata.category(character) == "Cc" and character != NUL


def validate_one_line(value):
    """One line of text: no line break, no other control character."""
    if any(character in LINE_BREAKS for character in value):
        raise ValidationError(_("Dit moet op één regel: haal de regelovergang weg."), code="line_break")
    if any(_is_control(character) for character in value):
        raise ValidationError(
            _("Hier staat een onzichtbaar stuurteken in. Typ de tekst opnieuw of plak hem zonder opmaak."),
            code="control_character",
        )


def validate_text(value):
    """Text of several lines: line breaks and tabs, but no other control character."""
    if any(_is_control(character) and character not in TEXT_WHITESPACE for character in value):
        raise ValidationError(
            _("Hier staat een onzichtbaar stuurteken in. Typ de tekst opnieuw of plak hem zonder opmaak."),
            code="control_character",
        )


def column_length(model, field_name):
    """The ``max_length`` of a model's column, for the form field whose value goes in it."""
    return model._meta.get_field(field_name).max_length


class LineField(forms.CharField):
    """One line of text, at most ``max_length`` characters (required)."""

    default_validators = [validate_one_line]

    def __init__(self, *, max_length, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class TextField(forms.CharField):
    """Text of several lines, at most ``max_length`` characters (required)."""

    default_validators = [validate_text]

    def __init__(self, *, max_length, widget=None, **kwargs):
        super().__init__(max_length=max_length, widget=widget or forms.Textarea(attrs={"rows": 4}), **kwargs)


class DateField(forms.DateField):
    """A day between ``EARLIEST_DATE`` and ``LATEST_DATE``, typed or picked (YYYY-MM-DD)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
        self.widget.attrs.setdefault("max", LATEST_DATE.isoformat())

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValidationError(
                _("Kies een datum tussen %(earliest)s en %(latest)s."),
                code="date_out_of_range",
                params={"earliest": date_format(EARLIEST_DATE), "latest": date_format(LATEST_DATE)},
            )


def id_from(value):
    """The id ``value`` names (an int), or None when it is not a whole number from 1 to
    ``ID_MAX`` written in the digits 0-9."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(ID_MAX)):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def _is_id_or_instance(value, field):
    return isinstance(value, field.queryset.model) or id_from(value) is not None


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one record by its id; an id no column can hold is not looked up."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_id_or_instance(value, self):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of records by their ids; ids no column can hold are not looked up."""

    def _check_values(self, value):
        if isinstance(value, (list, tuple)):
            for pk in value:
                if not _is_id_or_instance(pk, self):
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)
