"""Field validators. Each raises a ValidationError whose message names the rule that failed.

Numbers with a check digit are checked by python-stdnum, phones by phonenumbers, countries and
subdivisions by pycountry: maintained libraries, not hand-written tables.
"""

import functools
import importlib
import re
from collections.abc import Mapping
from contextvars import ContextVar

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from stdnum.ca import bn as ca_bn
from stdnum.exceptions import ValidationError as StdnumError

# phonenumbers compiles its metadata's patterns again at each use (through re's small cache): parsing a
# number spent a fifth of its time there. Kept compiled instead, a few hundred patterns.
phonenumbers.enable_pattern_cache()


class EmailAddressValidator(EmailValidator):
    """Django's rule for an email address, its patterns compiled once: Django compiles them on first use,
    and every later use goes through a proxy that cost three times the match (an import checks the address
    of every contact)."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)


validate_email_address = EmailAddressValidator()

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
DEFAULT_PHONE_REGION = "CA"


def validate_code(value: str) -> None:
    if not CODE_RE.match(value or ""):
        raise ValidationError(
            _("A code starts with a letter or digit and holds only letters, digits, '.', '-' and '_'."),
            code="invalid_code",
        )


@deconstructible
class StdnumValidator:
    """Checks a number with a python-stdnum module (check digits, length, format)."""

    def __init__(self, module_name: str, label: str) -> None:
        self.module_name = module_name
        self.label = label

    def __call__(self, value: str) -> None:
        if not value:
            return
        module = importlib.import_module(f"stdnum.{self.module_name}")
        try:
            module.validate(value)
        except StdnumError as exc:
            raise ValidationError(
                _("This is not a valid %(label)s (%(why)s).")
                % {"label": self.label, "why": str(exc).rstrip(".")},
                code="invalid_number",
            ) from exc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StdnumValidator) and (self.module_name, self.label) == (
            other.module_name,
            other.label,
        )


# vatin covers the EU and every other country python-stdnum knows (GB, CH, NO…) by the country prefix.
validate_vat = StdnumValidator("vatin", "VAT number")
validate_siren = StdnumValidator("fr.siren", "SIREN")
validate_siret = StdnumValidator("fr.siret", "SIRET")
validate_ein = StdnumValidator("us.ein", "EIN")
validate_iban = StdnumValidator("iban", "IBAN")
validate_bic = StdnumValidator("bic", "BIC")


def validate_gst(value: str) -> None:
    """GST/HST: a Canadian business number, 9 digits, or 15 with the RT program account (123456789RT0001)."""
    if not value:
        return
    try:
        ca_bn.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This is not a valid GST/HST number (a business number such as 123456782 RT0001: %(why)s).")
            % {"why": str(exc).rstrip(".")},
            code="invalid_number",
        ) from exc
    compact = ca_bn.compact(value)
    if len(compact) == 15 and compact[9:11] != "RT":
        raise ValidationError(_("A GST/HST number uses the RT program account (123456782 RT0001)."))


QST_RE = re.compile(r"^\d{10}\s*TQ\s*\d{4}$", re.IGNORECASE)
NEQ_RE = re.compile(r"^(11|22|33|88)\d{8}$")


def validate_qst(value: str) -> None:
    """Québec QST: 10 digits, TQ, 4 digits. No public check digit exists, so the format is checked."""
    if value and not QST_RE.match(value.strip()):
        raise ValidationError(_("A QST number has 10 digits, then TQ and 4 digits (1234567890 TQ0001)."))


def validate_neq(value: str) -> None:
    """Québec enterprise number: 10 digits starting with 11, 22, 33 or 88 (no public check digit)."""
    if value and not NEQ_RE.match(value.strip()):
        raise ValidationError(_("An NEQ has 10 digits and starts with 11, 22, 33 or 88."))


def validate_institution(value: str) -> None:
    if value and not re.fullmatch(r"\d{3}", value):
        raise ValidationError(_("The institution number has exactly 3 digits."))


def validate_transit(value: str) -> None:
    if value and not re.fullmatch(r"\d{5}", value):
        raise ValidationError(_("The transit number has exactly 5 digits."))


def validate_bank_account(value: str) -> None:
    if value and not re.fullmatch(r"\d{7,12}", value):
        raise ValidationError(_("The account number has 7 to 12 digits."))


def canadian_bank_errors(*, institution: str, transit: str, account: str) -> dict[str, str]:
    """A Canadian account is the three numbers together: one alone cannot receive a payment."""
    given = {"bank_institution": institution, "bank_transit": transit, "bank_account": account}
    if not any(given.values()) or all(given.values()):
        return {}
    return {
        field: _("Give the institution, transit and account numbers together (815 30000 1234567).")
        for field, value in given.items()
        if not value
    }


def normalise_website(value: str) -> str:
    """A website as typed ("www.example.com") with its scheme, so that it is a link that opens."""
    value = (value or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    return value


def validate_website(value: str) -> None:
    if value and not re.match(r"^https?://", value, re.IGNORECASE):
        raise ValidationError(_("A website starts with https:// or http://."), code="invalid_url")


# Why a phone number is refused (format_phone's answer when it is not a number's international form).
NOT_A_NUMBER, WRONG_LENGTH, NO_SUCH_NUMBER = 1, 2, 3


def format_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str | int:
    """The phone in international format, or the rule it breaks (NOT_A_NUMBER…): phonenumbers alone, so
    that it may run where Django is not at hand (an import checks phones in a second process)."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return NOT_A_NUMBER
    if not phonenumbers.is_possible_number(parsed):
        return WRONG_LENGTH
    # A possible number can still be one no carrier hands out (area code 000, exchange 0xx…).
    if not phonenumbers.is_valid_number(parsed):
        return NO_SUCH_NUMBER
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Phones an import had checked ahead (by format_phone, in a process of its own), valid ones only: value →
# international format. None outside such an import.
checked_ahead: ContextVar[Mapping[str, str] | None] = ContextVar("checked_ahead_phones", default=None)


# A phone is normalised by the services, then checked again by the field's validator: the cache answers the
# second time without parsing again (parsing is most of the time spent validating a customer or a contact).
@functools.lru_cache(maxsize=4096)
def normalise_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """The phone in international format (+1 819-555-0100); raises ValidationError when invalid."""
    ahead = checked_ahead.get()
    formatted: str | int | None = (
        ahead.get(value) if ahead is not None and region == DEFAULT_PHONE_REGION else None
    )
    if formatted is None:
        formatted = format_phone(value, region)
    if formatted == NOT_A_NUMBER:
        raise ValidationError(
            _("This is not a phone number (write it as +1 819 555 0100)."), code="invalid_phone"
        )
    if formatted == WRONG_LENGTH:
        raise ValidationError(
            _("This phone number has the wrong number of digits for its country."), code="invalid_phone"
        )
    if formatted == NO_SUCH_NUMBER:
        raise ValidationError(
            _("This phone number does not exist in its country (check the area code)."), code="invalid_phone"
        )
    assert isinstance(formatted, str)
    return formatted


def validate_phone(value: str) -> None:
    if value:
        normalise_phone(value)


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def validate_currency(value: str) -> None:
    if not value or pycountry.currencies.get(alpha_3=value.upper()) is None:
        raise ValidationError(_("Use an ISO 4217 currency code, such as CAD, USD or EUR."))


def validate_country(value: str) -> None:
    if not value or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(
            _("Use an ISO 3166 country code, such as CA, US or FR."), code="invalid_country"
        )


# pycountry looks a country's subdivisions up anew each time; an import checks thousands of addresses of
# a few countries. (short code, name, top level), read once per country.
@functools.lru_cache(maxsize=512)
def _subdivisions(country: str) -> tuple[tuple[str, str, bool], ...]:
    return tuple(
        (s.code.split("-", 1)[1], s.name, getattr(s, "parent_code", None) is None)
        for s in pycountry.subdivisions.get(country_code=country) or []
    )


def subdivision_codes(country: str) -> dict[str, str]:
    """Top-level subdivisions of a country as {short code: name}, e.g. {'QC': 'Québec'} for CA."""
    return {code: name for code, name, top in _subdivisions(country.upper()) if top}


def all_subdivision_codes(country: str) -> set[str]:
    """Every ISO 3166-2 subdivision code of a country, at any level (a French department as well as
    its region), because addresses of those countries name whichever level the sender knows."""
    return {code for code, _name, _top in _subdivisions(country.upper())}


# Countries whose postal addresses carry the state or province as a required line (the Universal Postal
# Union's address formats): there the province is required. Almost every country has ISO subdivisions
# (Sweden's counties, France's regions, Germany's Länder), but elsewhere post is delivered without them,
# so requiring one would only make people guess.
PROVINCE_REQUIRED = frozenset({"CA", "US", "AU", "BR", "MX", "IN", "CN", "JP", "MY"})

# Canada Post: the first letter of a postal code names the province or territory.
CANADIAN_POSTAL_PREFIXES = {
    "NL": "A",
    "NS": "B",
    "PE": "C",
    "NB": "E",
    "QC": "GHJ",
    "ON": "KLMNP",
    "MB": "R",
    "SK": "S",
    "AB": "T",
    "BC": "V",
    "NT": "X",
    "NU": "X",
    "YT": "Y",
}

POSTAL_CODE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "CA": (re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$"), "A1A 1A1"),
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "12345 or 12345-6789"),
    "FR": (re.compile(r"^\d{5}$"), "75001"),
    "BE": (re.compile(r"^\d{4}$"), "1000"),
    "CH": (re.compile(r"^\d{4}$"), "8001"),
    "DE": (re.compile(r"^\d{5}$"), "10115"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"), "SW1A 1AA"),
}


def normalise_postal_code(country: str, value: str) -> str:
    value = (value or "").strip().upper()
    if country == "CA" and re.fullmatch(r"[A-Z]\d[A-Z]\d[A-Z]\d", value):
        return f"{value[:3]} {value[3:]}"
    if country == "GB" and re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", value):
        return f"{value[:-3]} {value[-3:]}"
    if country == "US" and re.fullmatch(r"\d{9}", value):
        return f"{value[:5]}-{value[5:]}"
    return value


def address_errors(*, country: str, province: str, postal_code: str) -> dict[str, str]:
    """Errors of the country, province and postal code of an address, by field."""
    errors: dict[str, str] = {}
    country = (country or "").upper()
    try:
        validate_country(country)
    except ValidationError as exc:
        return {"country": exc.messages[0]}
    province = (province or "").upper()
    # Where the province is required, only the top level is a province; elsewhere any level may be named.
    known = subdivision_codes(country) if country in PROVINCE_REQUIRED else all_subdivision_codes(country)
    if province:
        if not known:
            errors["province"] = _("%(country)s has no provinces or states; leave it empty.") % {
                "country": country
            }
        elif province not in known:
            errors["province"] = _("%(province)s is not a province or state of %(country)s.") % {
                "province": province,
                "country": country,
            }
    elif country in PROVINCE_REQUIRED and known:
        errors["province"] = _("A province or state is required for %(country)s.") % {"country": country}
    rule = POSTAL_CODE_FORMATS.get(country)
    if rule and postal_code:
        pattern, example = rule
        postal_code = normalise_postal_code(country, postal_code)
        if not pattern.match(postal_code):
            errors["postal_code"] = _("A postal code in %(country)s looks like %(example)s.") % {
                "country": country,
                "example": example,
            }
        elif country == "CA" and province in CANADIAN_POSTAL_PREFIXES and "province" not in errors:
            letters = CANADIAN_POSTAL_PREFIXES[province]
            if postal_code[0] not in letters:
                errors["postal_code"] = _(
                    "A postal code in %(province)s starts with %(letters)s; "
                    "check the postal code or the province."
                ) % {"province": province, "letters": " or ".join(letters)}
    elif rule and not postal_code:
        errors["postal_code"] = _("A postal code is required for %(country)s.") % {"country": country}
    return errors
