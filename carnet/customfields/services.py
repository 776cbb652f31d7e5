"""The rules of custom fields: reading, checking and writing their values, and managing their definitions.

Values are stored as JSON, one type per field type: text, link and choice as strings (a choice by its
option's value), number as an integer, decimal as a string in canonical form ("12.5", "1200"), so that
equal amounts compare equal), date as an ISO string (2026-11-22), boolean as true/false. A field without a
value has no key in the record's dict.

Every entry point that writes values (the customer services, so the UI and the API; the importer) passes
them through validate_values; the definitions change only through the functions at the end, which refuse
what would lose values.
"""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.models import Contact, Customer
from carnet.errors import CodeTaken, InUse, NotFound, StaleVersion

from .filtering import with_value
from .models import CustomField, FieldType, Target

TEXT_MAX = 1000
LINK_MAX = 500
NUMBER_LIMIT = 10**15  # whole numbers stay exact in every JSON reader (below 2**53)
DECIMAL_INTEGER_DIGITS = 15
DECIMAL_PLACES = 6
KEY_MAX = 40
# Lower-case words joined by single underscores: the key travels in URLs (cf_<key>), JSON and CSV headers.
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "oui", "o", "vrai", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "non", "faux", "off"})
_validate_url = URLValidator(schemes=["http", "https"])


def holder_model(target: str) -> type[models.Model]:
    return Contact if target == Target.CONTACT else Customer


# --- definitions -----------------------------------------------------------------------------------


def definitions(target: str) -> list[CustomField]:
    """The active fields of customers or contacts, in the order people see them."""
    return list(CustomField.objects.filter(target=target, active=True).order_by("position", "key"))


def all_definitions(target: str | None = None) -> list[CustomField]:
    """Every field, active or not (for the settings), by target then position."""
    queryset = CustomField.objects.all()
    if target:
        queryset = queryset.filter(target=target)
    return list(queryset.order_by("target", "position", "key"))


def definition(target: str, key: str) -> CustomField:
    found = CustomField.objects.filter(target=target, key=key).first()
    if found is None:
        raise NotFound(_("No custom field of %(target)s has the key %(key)s.") % _names(target, key))
    return found


def _names(target: str, key: str) -> dict[str, str]:
    return {"target": str(Target(target).label).lower() if target in Target.values else target, "key": key}


# --- values: reading and writing -------------------------------------------------------------------


def _type_error(field: CustomField) -> ValidationError:
    messages = {
        FieldType.TEXT: _("Text is expected."),
        FieldType.NUMBER: _("A whole number is expected, such as 12."),
        FieldType.DECIMAL: _("A decimal number is expected, such as 12.50."),
        FieldType.DATE: _("A date is expected, as YYYY-MM-DD (2026-11-22)."),
        FieldType.BOOLEAN: _("Yes or no is expected (true or false in the API)."),
        FieldType.CHOICE: _("One of the field's options is expected."),
        FieldType.LINK: _("A web address is expected, such as https://example.com."),
    }
    return ValidationError(messages[FieldType(field.type)], code="type")


def canonical_decimal(value: Decimal) -> str:
    """12.50 → "12.5", 1.2E+3 → "1200": one spelling per amount, so that stored values compare equal."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _parse_decimal(text: str) -> str:
    # People in French write 12,50; spaces group thousands in both languages.
    compact = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        raise ValidationError(_("A decimal number is expected, such as 12.50."), code="type") from None
    if not value.is_finite():
        raise ValidationError(_("A decimal number is expected, such as 12.50."), code="type")
    _sign, digits, exponent = value.normalize().as_tuple()
    assert isinstance(exponent, int)
    places = max(0, -exponent)
    integer_digits = max(0, len(digits) + exponent)
    if places > DECIMAL_PLACES or integer_digits > DECIMAL_INTEGER_DIGITS:
        raise ValidationError(
            _("At most %(whole)d digits before the decimal point and %(places)d after.")
            % {"whole": DECIMAL_INTEGER_DIGITS, "places": DECIMAL_PLACES},
            code="range",
        )
    return canonical_decimal(value)


def _parse_number(text: str) -> int:
    compact = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?\d+", compact):
        raise ValidationError(_("A whole number is expected, such as 12."), code="type")
    return _check_number(int(compact))


def _check_number(value: int) -> int:
    if abs(value) >= NUMBER_LIMIT:
        raise ValidationError(
            _("A whole number between -%(max)s and %(max)s is expected.") % {"max": f"{NUMBER_LIMIT - 1}"},
            code="range",
        )
    return value


def _parse_choice(field: CustomField, text: str) -> str:
    for option in field.options or []:
        if option["value"] == text:
            return str(option["value"])
    folded = text.casefold()
    for option in field.options or []:
        names = (option["value"], option.get("label_fr", ""), option.get("label_en", ""))
        if any(str(name).casefold() == folded for name in names if name):
            return str(option["value"])
    raise ValidationError(
        _("%(value)s is not an option; choose one of: %(options)s.")
        % {"value": text, "options": ", ".join(field.option_values())},
        code="choice",
    )


def _parse_link(text: str) -> str:
    if "://" not in text:
        text = f"https://{text}"  # people type example.com
    if len(text) > LINK_MAX:
        raise ValidationError(_("At most %(n)d characters.") % {"n": LINK_MAX}, code="length")
    try:
        _validate_url(text)
    except ValidationError:
        raise ValidationError(
            _("A web address is expected, such as https://example.com."), code="type"
        ) from None
    return text


def parse_text(field: CustomField, text: str) -> Any:
    """A value as typed in a form or a CSV cell, as it is stored; empty text is no value (None).

    Raises ValidationError whose message says the rule broken."""
    text = (text or "").strip()
    if not text:
        return None
    kind = field.type
    if kind == FieldType.TEXT:
        if len(text) > TEXT_MAX:
            raise ValidationError(_("At most %(n)d characters.") % {"n": TEXT_MAX}, code="length")
        return text
    if kind == FieldType.NUMBER:
        return _parse_number(text)
    if kind == FieldType.DECIMAL:
        return _parse_decimal(text)
    if kind == FieldType.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(_("A date is expected, as YYYY-MM-DD (2026-11-22)."), code="type") from None
    if kind == FieldType.BOOLEAN:
        word = text.casefold()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValidationError(_("Yes or no is expected."), code="type")
    if kind == FieldType.CHOICE:
        return _parse_choice(field, text)
    if kind == FieldType.LINK:
        return _parse_link(text)
    raise ValidationError(_("Unknown field type %(type)s.") % {"type": kind})


def clean_value(field: CustomField, raw: Any) -> Any:
    """A value from JSON (or text) as it is stored; None is no value. Raises ValidationError."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return parse_text(field, raw)
    kind = field.type
    if isinstance(raw, bool):
        if kind == FieldType.BOOLEAN:
            return raw
        raise _type_error(field)
    if kind == FieldType.NUMBER and isinstance(raw, int):
        return _check_number(raw)
    if kind == FieldType.NUMBER and isinstance(raw, float) and raw.is_integer():
        return _check_number(int(raw))
    if kind == FieldType.DECIMAL and isinstance(raw, int | float | Decimal):
        return _parse_decimal(str(raw))
    if kind == FieldType.DATE and isinstance(raw, date):
        return raw.isoformat()
    raise _type_error(field)


def format_text(field: CustomField, value: Any) -> str:
    """A stored value as text that parse_text reads back (for forms and CSV): yes/no, ISO dates, the
    option's value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def display(field: CustomField, value: Any) -> str:
    """A stored value for people: Yes/No, the option's label, the date in the reader's format."""
    if value is None or value == "":
        return ""
    if field.type == FieldType.BOOLEAN:
        return _("Yes") if value else _("No")
    if field.type == FieldType.CHOICE:
        return field.option_label(value)
    if field.type == FieldType.DATE:
        try:
            return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def display_html(field: CustomField, value: Any) -> str:
    """display() for a page: a link value is a link (opened in a new tab), everything else plain text;
    escaped either way."""
    shown = display(field, value)
    if field.type == FieldType.LINK and shown and shown.lower().startswith(("https://", "http://")):
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', shown, shown)
    return conditional_escape(shown)


def _unknown_key(target: str, key: str, active: list[str]) -> str:
    known = ", ".join(active) or _("none")
    return _("No active custom field of %(target)s has the key %(key)s; known keys: %(known)s.") % {
        **_names(target, key),
        "known": known,
    }


def _required_message() -> str:
    return _("This field is required.")


def validate_values(target: str, values: Mapping[str, Any], *, existing: Mapping[str, Any] | None) -> dict:
    """The record's custom values once `values` are applied: checked, typed and complete.

    `existing` None is a new record: the fields not given take their default, and every required one
    needs a value. Otherwise `values` change only the keys given (None or "" removes a value) and the
    record's other values stay, those of deactivated fields too. Raises ValidationError by
    "custom_fields.<key>" (an unknown or inactive key, a value of the wrong type, a choice not among the
    options, a missing required value); nothing is returned half-checked."""
    if not isinstance(values, Mapping):
        raise ValidationError({"custom_fields": _("Send an object of key: value pairs.")})
    fields = {f.key: f for f in CustomField.objects.filter(target=target)}
    active = [f for f in sorted(fields.values(), key=lambda f: (f.position, f.key)) if f.active]
    creating = existing is None
    result: dict[str, Any] = dict(existing or {})
    errors: dict[str, str] = {}
    for key, raw in values.items():
        name = f"custom_fields.{key}"
        field = fields.get(key)
        if field is None or not field.active:
            if field is not None and result.get(key) == raw:
                continue  # a deactivated field's value sent back as read: it stays as it is
            errors[name] = _unknown_key(target, str(key), [f.key for f in active])
            continue
        try:
            value = clean_value(field, raw)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
            continue
        if value is None:
            if field.required:
                errors[name] = _required_message()
            result.pop(key, None)
        else:
            result[key] = value
    if creating:
        for field in active:
            if field.key not in values and field.default is not None:
                result[field.key] = field.default
            name = f"custom_fields.{field.key}"
            if field.required and result.get(field.key) is None and name not in errors:
                errors[name] = _required_message()
    if errors:
        raise ValidationError(errors)
    return result


# --- definitions: managing them --------------------------------------------------------------------

DEFINITION_FIELDS = frozenset(
    {
        "target",
        "key",
        "label_en",
        "label_fr",
        "type",
        "options",
        "required",
        "default",
        "help_en",
        "help_fr",
        "show_in_list",
        "filterable",
        "position",
        "active",
    }
)
_TEXT_SETTINGS = ("label_en", "label_fr", "help_en", "help_fr")


def holders(field: CustomField, value: Any = None) -> int:
    """How many records hold a value of the field (or this value, when given)."""
    model = holder_model(field.target)
    if value is None:
        return model._default_manager.filter(custom_fields__has_key=field.key).count()
    return with_value(model._default_manager.all(), field.key, value).count()


def _holders_text(target: str, count: int) -> str:
    if target == Target.CONTACT:
        return ngettext("%(n)d contact holds a value.", "%(n)d contacts hold a value.", count) % {"n": count}
    return ngettext("%(n)d customer holds a value.", "%(n)d customers hold a value.", count) % {"n": count}


def normalise_options(raw: Any) -> list[dict[str, str]]:
    """Options given as text ("PME") or objects ({"value", "label_fr", "label_en"}), as stored: a value
    and both labels (a missing label is the other one, or the value). Raises ValidationError on options."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationError({"options": _("Send a list of options.")})
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in raw:
        if isinstance(item, str):
            value, label_fr, label_en = item.strip(), "", ""
        elif isinstance(item, Mapping):
            value = str(item.get("value") or "").strip()
            label_fr = str(item.get("label_fr") or "").strip()
            label_en = str(item.get("label_en") or "").strip()
        else:
            raise ValidationError({"options": _("An option is a text or an object with a value.")})
        if not value:
            raise ValidationError({"options": _("Every option needs a value.")})
        if len(value) > 100 or len(label_fr) > 100 or len(label_en) > 100:
            raise ValidationError({"options": _("An option and its labels have at most 100 characters.")})
        if value.casefold() in seen:
            raise ValidationError({"options": _("The option %(value)s is given twice.") % {"value": value}})
        seen.add(value.casefold())
        options.append(
            {
                "value": value,
                "label_fr": label_fr or label_en or value,
                "label_en": label_en or label_fr or value,
            }
        )
    return options


def _check_definition(field: CustomField, raw_default: Any) -> None:
    """The rules of one definition; the default is checked against its (new) type and options."""
    errors: dict[str, list[str]] = {}
    if field.target not in Target.values:
        errors["target"] = [_("Use customer or contact.")]
    if not field.key:
        errors["key"] = [_("Give the field a key, such as segment.")]
    elif len(field.key) > KEY_MAX or not KEY_RE.match(field.key):
        errors["key"] = [
            _(
                "A key holds lower-case letters and digits, words joined by one _ (segment, "
                "sales_region), at most %(n)d characters, and starts with a letter."
            )
            % {"n": KEY_MAX}
        ]
    if field.type not in FieldType.values:
        errors["type"] = [_("Use one of: %(types)s.") % {"types": ", ".join(FieldType.values)}]
    if not field.label_en and not field.label_fr:
        errors["label_en"] = [_("Give the field a label, in English or French.")]
    if field.type == FieldType.CHOICE and not field.options:
        errors["options"] = [_("A choice field needs at least one option.")]
    if field.type != FieldType.CHOICE and field.options:
        errors["options"] = [_("Only a choice field has options.")]
    if "type" not in errors and "options" not in errors:
        try:
            field.default = clean_value(field, raw_default)
        except ValidationError as exc:
            errors["default"] = exc.messages
    try:
        field.full_clean(
            exclude=[*errors, "default", "options"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _ensure_key_free(target: str, key: str) -> None:
    existing = CustomField.objects.filter(target=target, key=key).first()
    if existing is not None:
        raise CodeTaken(
            _("The key %(key)s belongs to the field %(label)s.") % {"key": key, "label": existing.label()},
            existing={"key": existing.key, "label_en": existing.label_en, "label_fr": existing.label_fr},
        )


def _set_values(field: CustomField, data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        if name in _TEXT_SETTINGS:
            setattr(field, name, str(value or "").strip())
        elif name in {"required", "show_in_list", "filterable", "active"}:
            setattr(field, name, bool(value))
        elif name == "options":
            field.options = normalise_options(value)
        elif name not in {"default", "target", "key"}:
            setattr(field, name, value)


@transaction.atomic
def create_field(*, actor: User | None, data: Mapping[str, Any]) -> CustomField:
    """Define a field. Its key is unique among the fields of its target (a taken one is a CodeTaken
    conflict); one label is enough, the other language shows it until someone translates it."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    unknown = sorted(set(data) - DEFINITION_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in unknown})
    target = str(data.get("target") or Target.CUSTOMER).strip().lower()
    field = CustomField(
        target=target,
        key=str(data.get("key") or "").strip().lower(),
        type=str(data.get("type") or "").strip().lower(),
    )
    _set_values(field, {k: v for k, v in data.items() if k not in {"type", "position"}})
    field.label_en = field.label_en or field.label_fr
    field.label_fr = field.label_fr or field.label_en
    position = data.get("position")
    if position is None:
        last = CustomField.objects.filter(target=target).aggregate(last=Max("position"))["last"]
        position = (last or 0) + 1
    field.position = position
    _check_definition(field, data.get("default"))
    _ensure_key_free(field.target, field.key)
    try:
        with transaction.atomic():
            field.save()
    except IntegrityError:
        _ensure_key_free(field.target, field.key)
        raise
    return field


def _definition_for_update(target: str, key: str) -> CustomField:
    found = CustomField.objects.select_for_update().filter(target=target, key=key).first()
    if found is None:
        raise NotFound(_("No custom field of %(target)s has the key %(key)s.") % _names(target, key))
    return found


@transaction.atomic
def update_field(
    *,
    actor: User | None,
    target: str,
    key: str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> CustomField:
    """Change a definition. Its key and target stay (the values are filed under them). Its type changes,
    and options go, only while no record holds a value that would be lost: the refusal (InUse) says how
    many hold one. Deactivating is always allowed: the field is hidden, its values kept."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    unknown = sorted(set(changes) - DEFINITION_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in unknown})
    field = _definition_for_update(target, key)
    if expected_version is not None and field.version != expected_version:
        raise StaleVersion(
            _(
                "Someone else changed this record since you read it (version %(expected)s, now %(current)s). "
                "Reload it and apply your change again."
            )
            % {"expected": expected_version, "current": field.version},
            current_version=field.version,
        )
    errors: dict[str, str] = {}
    for name in ("key", "target"):
        if name in changes and str(changes[name] or "").strip().lower() != getattr(field, name):
            errors[name] = _("A field keeps its key and target: the values are filed under them.")
    if errors:
        raise ValidationError(errors)
    old_type, old_values = field.type, set(field.option_values())
    changes = dict(changes)
    if "type" in changes:
        field.type = str(changes["type"] or "").strip().lower()
        if field.type != FieldType.CHOICE and "options" not in changes:
            changes["options"] = []
    _set_values(field, changes)
    field.label_en = field.label_en or field.label_fr
    field.label_fr = field.label_fr or field.label_en
    raw_default = changes["default"] if "default" in changes else format_text(field, field.default)
    if field.type != old_type:
        raw_default = changes.get("default")
    _check_definition(field, raw_default)
    if field.type != old_type:
        count = holders(field)
        if count:
            raise InUse(
                _(
                    "The type of %(label)s cannot change while records hold values of it: they would be "
                    "lost. %(holders)s Clear them first, or add a new field and deactivate this one."
                )
                % {"label": field.label(), "holders": _holders_text(field.target, count)},
                reasons=[_holders_text(field.target, count)],
                suggestion="deactivate",
            )
    elif field.type == FieldType.CHOICE:
        removed = sorted(old_values - set(field.option_values()))
        in_use = [(value, holders(field, value)) for value in removed]
        in_use = [(value, count) for value, count in in_use if count]
        if in_use:
            reasons = [
                _("The option %(value)s: %(holders)s")
                % {"value": value, "holders": _holders_text(field.target, count)}
                for value, count in in_use
            ]
            raise InUse(
                _("Options that records hold cannot be removed: their values would be lost. %(reasons)s")
                % {"reasons": " ".join(reasons)},
                reasons=reasons,
                suggestion="keep_option",
            )
    field.version += 1
    field.save()
    return field


def set_active(*, actor: User | None, target: str, key: str, active: bool) -> CustomField:
    """Deactivate a field (hidden, takes no new values; the records keep theirs) or reactivate it."""
    return update_field(actor=actor, target=target, key=key, changes={"active": active})


@transaction.atomic
def delete_field(*, actor: User | None, target: str, key: str) -> None:
    """Delete a field no record holds a value of; otherwise InUse, saying how many hold one."""
    if actor is not None:
        require(actor, Action.MANAGE_SETTINGS)
    field = _definition_for_update(target, key)
    count = holders(field)
    if count:
        raise InUse(
            _(
                "%(label)s cannot be deleted while records hold values of it: they would be lost. "
                "%(holders)s Deactivate it instead: it is hidden and the values are kept."
            )
            % {"label": field.label(), "holders": _holders_text(field.target, count)},
            reasons=[_holders_text(field.target, count)],
            suggestion="deactivate",
        )
    field.delete()
