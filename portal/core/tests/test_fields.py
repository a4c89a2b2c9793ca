"""The portal's rules for typed values (portal.core.fields)."""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError

from portal.core.fields import (
    DateField,
    LineField,
    ModelChoiceField,
    ModelMultipleChoiceField,
    TextField,
    id_from,
)
from portal.locations.models import Location


def codes(field, value):
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    return [error.code for error in refused.value.error_list]


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "a\x0bb", "a\x0cb", "a\x85b", "a\u2028b", "a\u2029b", "a\x1cb"])
def test_one_line_refuses_every_line_break(value):
    assert codes(LineField(max_length=100), value) == ["line_break"]


@pytest.mark.parametrize("value", ["a\x1bb", "a\x07b", "a\x7fb", "a\x9bb", "a\tb"])
def test_one_line_refuses_control_characters(value):
    assert codes(LineField(max_length=100), value) == ["control_character"]


def test_a_nul_character_gets_djangos_own_error_once():
    assert codes(LineField(max_length=100), "a\x00b") == ["null_characters_not_allowed"]
    assert codes(TextField(max_length=100), "a\x00b") == ["null_characters_not_allowed"]


@pytest.mark.parametrize("value", ["José Müller-d'Âth", "Zoë 😀", "\ufdfa", "  spaties  ", "中文名"])
def test_one_line_takes_any_printable_text(value):
    assert LineField(max_length=100).clean(value) == value.strip()


def test_text_keeps_line_breaks_and_tabs_but_not_other_control_characters():
    assert TextField(max_length=100).clean("regel 1\r\n\tregel 2") == "regel 1\r\n\tregel 2"
    assert codes(TextField(max_length=100), "a\x1bb") == ["control_character"]


def test_both_need_a_max_length():
    with pytest.raises(TypeError):
        LineField()
    with pytest.raises(TypeError):
        TextField()
    assert codes(LineField(max_length=3), "abcd") == ["max_length"]


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2100-01-01", "9999-12-31"])
def test_a_date_outside_the_range_is_refused(value):
    assert codes(DateField(), value) == ["date_out_of_range"]


def test_the_range_itself_is_accepted():
    assert DateField().clean("1900-01-01") == date(1900, 1, 1)
    assert DateField().clean("2099-12-31") == date(2099, 12, 31)
    assert DateField().widget.attrs["min"] == "1900-01-01"


@pytest.mark.parametrize(
    "value, expected",
    [("1", 1), (" 42 ", 42), ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None), ("9" * 40, None),
     ("0", None), ("-1", None), ("\u00b2", None), ("\u0661", None), ("1.0", None), ("", None), (None, None), (7, 7)],
)  # fmt: skip
def test_an_id_is_a_whole_number_a_column_holds(value, expected):
    assert id_from(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["9" * 40, "-" + "9" * 40, "9223372036854775808", "\u00b2", "1e3"])
def test_choices_of_records_refuse_ids_no_column_holds(value):
    assert codes(ModelChoiceField(queryset=Location.objects.all()), value) == ["invalid_choice"]
    assert codes(ModelMultipleChoiceField(queryset=Location.objects.all()), [value]) == ["invalid_pk_value"]


@pytest.mark.django_db
def test_choices_of_records_take_existing_ids(locations):
    assert ModelChoiceField(queryset=Location.objects.all()).clean(str(locations[0].pk)) == locations[0]
    chosen = ModelMultipleChoiceField(queryset=Location.objects.all()).clean([str(loc.pk) for loc in locations])
    assert set(chosen) == set(locations)


def test_a_form_keeps_what_was_typed_when_a_line_is_refused():
    class NameForm(forms.Form):
        name = LineField(max_length=20)

    form = NameForm({"name": "Anna\nAdmin"})
    assert not form.is_valid() and form["name"].value() == "Anna\nAdmin"
