"""How one CSV cell is read into a value and a value written into a cell, and the columns of a kind.

Each reader raises ValidationError with a message naming the rule, which the import reports with the row
and the column. Writers give the text that the reader reads back to the same value, so an export imports
again unchanged.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.web.csv_export import FORMULA_STARTS

# A cell starting with a formula character (= + - @ tab CR) is exported behind an apostrophe, so that a
# spreadsheet shows it as text instead of running it; a cell that itself starts with an apostrophe gets one
# more, so that reading drops exactly one and the value comes back as it was.
QUOTE = "'"


def neutralise(text: str) -> str:
    if text.startswith((*FORMULA_STARTS, QUOTE)):
        return QUOTE + text
    return text


def restore(text: str) -> str:
    return text[1:] if text.startswith(QUOTE) else text


@dataclass(frozen=True)
class Codec:
    read: Callable[[str], Any]
    write: Callable[[Any], str]


def _read_text(text: str) -> str:
    return text.strip()


def _write_text(value: Any) -> str:
    return "" if value is None else str(value)


TRUE_WORDS = frozenset({"true", "yes", "1", "oui", "vrai"})
FALSE_WORDS = frozenset({"false", "no", "0", "non", "faux"})


def _read_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(_("Write true or false."))


def _write_bool(value: Any) -> str:
    return "true" if value else "false"


def _read_int(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValidationError(_("%(value)s is not a whole number.") % {"value": text}) from None


def _read_decimal(text: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("%(value)s is not a number; write it with a point and no thousands separator, like 1250.00.")
            % {"value": text}
        ) from None
    if not value.is_finite():
        raise ValidationError(_("%(value)s is not a number.") % {"value": text})
    return value


def _write_decimal(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _read_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a date; write it like 2026-11-22.") % {"value": text}
        ) from None


def _write_date(value: Any) -> str:
    return "" if value is None else value.isoformat()


def _read_datetime(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a date and time; write it like 2026-11-22T09:30:00+00:00.") % {"value": text}
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _write_datetime(value: Any) -> str:
    return "" if value is None else value.astimezone(UTC).isoformat()


def _read_list(text: str) -> list[str] | None:
    text = text.strip()
    if not text:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _write_list(value: Any) -> str:
    return ",".join(value or [])


TEXT = Codec(_read_text, _write_text)
BOOL = Codec(_read_bool, _write_bool)
INT = Codec(_read_int, _write_text)
DECIMAL = Codec(_read_decimal, _write_decimal)
DATE = Codec(_read_date, _write_date)
DATETIME = Codec(_read_datetime, _write_datetime)
LIST = Codec(_read_list, _write_list)


@dataclass(frozen=True)
class Column:
    """One column of a kind's CSV: its header, how its cells read and write, and where its value comes from
    on export (`source`, a lookup such as customer__code; the name by default). A column that is not
    `readable` is written for information (an open balance) and ignored on import."""

    name: str
    codec: Codec = TEXT
    source: str = ""
    required: bool = False
    readable: bool = True

    @property
    def lookup(self) -> str:
        return self.source or self.name
