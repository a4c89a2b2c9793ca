"""CSV downloads: each cell stays one cell in a spreadsheet, whatever it holds, and
nothing in it runs as a formula."""

import csv
import io

import pytest

from portal.core.csv import csv_response


def download(rows, header=("Naam", "Opmerking")):
    response = csv_response("test.csv", list(header), rows)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))


def test_a_cell_with_the_separator_quotes_or_line_breaks_stays_one_cell():
    cells = ["a;b", 'zei "ja"', "regel 1\nregel 2", "regel 1\r\nregel 2", "cr\ralleen", "gewoon"]
    assert download([cells]) == [["Naam", "Opmerking"], cells]


@pytest.mark.parametrize("value", ["=1+1", "+31 6 12345678", "-2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x";"klik")'])
def test_a_cell_that_a_spreadsheet_would_run_is_text(value):
    assert download([[value, "x"]])[1] == ["'" + value, "x"]


def test_empty_and_missing_values_are_empty_cells():
    assert download([[None, ""]])[1] == ["", ""]
