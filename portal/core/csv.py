"""CSV downloads, streamed row by row, safe to open in a spreadsheet.

Cells are separated by a semicolon (what Dutch spreadsheet programs expect); a cell that
holds the separator, a quote or a line break is quoted, so it stays one cell; a cell
that a spreadsheet would run as a formula starts with an apostrophe (CSV injection)."""

import csv

from django.http import StreamingHttpResponse

from .streaming import in_language

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def safe_cell(value):
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(filename, header, rows):
    """A download of ``rows`` (lists of cells) under ``header``, streamed: the rows are
    read as the file is sent, in the language of the request. (So a filter must be
    checked before: a query that fails once the header is out can only cut the file short.)"""
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL)

    def stream():
        yield "\ufeff"  # so that spreadsheet programs read UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(in_language(stream()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
