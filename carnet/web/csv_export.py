"""CSV downloads that open cleanly in spreadsheets and cannot smuggle formulas into them."""

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse

# Excel needs the byte order mark to read UTF-8 (accents in French names) instead of the local code page.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection); a leading quote
# makes it plain text and is not shown.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell as text; one that a spreadsheet would run as a formula gets a leading quote (OWASP's advice
    for CSV injection). A number is written as it is: -12.50 from a Decimal is a figure, not a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object that hands back what the csv writer writes, so rows can be streamed."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download: big exports start at once and never sit whole in memory."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
