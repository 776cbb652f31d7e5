"""Reading an uploaded CSV file: its encoding, its header, then its rows as text by column.

The file is read whole (an import is all-or-nothing, so every row is checked before any is written).
UTF-8 is expected, with or without the byte order mark spreadsheets add; anything else is refused with
the line of the first byte that is not UTF-8, rather than read as mangled accents.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .cells import Column, restore
from .report import Report

HEADER_ROW = 1


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it (the header is row 1) and its cells by column."""

    number: int
    cells: dict[str, str]

    def has(self, column: str) -> bool:
        return column in self.cells


def decode(data: bytes, report: Report) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.problem(
            0,
            "",
            _(
                "The file is not UTF-8 text (line %(line)d has the byte 0x%(byte)02X): save it as "
                '"CSV UTF-8" and import it again.'
            )
            % {"line": line, "byte": data[exc.start]},
        )
        return None


def read_rows(data: bytes, columns: Sequence[Column], extra: Sequence[str], report: Report) -> list[Row]:
    """The rows of the file, or [] with the problems reported (a wrong header reads no row). `extra` are
    the names of further columns the kind accepts (custom fields)."""
    text = decode(data, report)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
    except csv.Error as exc:
        report.problem(HEADER_ROW, "", _("The header cannot be read as CSV: %(why)s.") % {"why": exc})
        return []
    if not _header_ok(header, columns, extra, report):
        return []
    rows: list[Row] = []
    try:
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                report.problem(
                    number,
                    "",
                    _("This row has %(n)d cells, the header %(m)d: check the separators and quotes.")
                    % {"n": len(cells), "m": len(header)},
                )
                continue
            rows.append(Row(number, {name: restore(cell) for name, cell in zip(header, cells, strict=True)}))
    except csv.Error as exc:
        report.problem(reader.line_num, "", _("This line cannot be read as CSV: %(why)s.") % {"why": exc})
    return rows


def _header_ok(header: list[str], columns: Sequence[Column], extra: Sequence[str], report: Report) -> bool:
    known = {c.name for c in columns} | set(extra)
    ok = True
    if not any(header):
        report.problem(HEADER_ROW, "", _("The file is empty: the first line names the columns."))
        return False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            report.problem(HEADER_ROW, name, _("This column appears twice."))
            ok = False
        seen.add(name)
        if name not in known:
            report.problem(
                HEADER_ROW,
                name,
                _("Unknown column; the columns are: %(known)s.")
                % {"known": ", ".join([c.name for c in columns] + list(extra))},
            )
            ok = False
    for column in columns:
        if column.required and column.name not in seen:
            report.problem(HEADER_ROW, column.name, _("This column is required."))
            ok = False
    return ok
