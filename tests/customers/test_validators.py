"""Field validators, with real numbers: valid ones pass, one changed digit fails with a message."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from carnet.customers import validators as v

# --- business numbers (python-stdnum where a check digit exists) -----------------------------------


@pytest.mark.parametrize("number", ["123456782RT0001", "123456782 RT0001", "123456782"])
def test_a_gst_number_with_a_good_check_digit_is_valid(number: str) -> None:
    v.validate_gst(number)


@pytest.mark.parametrize(
    "number",
    [
        "123456783RT0001",  # check digit changed
        "12345678RT0001",  # one digit short
        "123456782RC0001",  # the corporate income tax account, not GST/HST
    ],
)
def test_a_gst_number_with_a_bad_digit_or_program_is_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="GST/HST"):
        v.validate_gst(number)


def test_a_siren_with_a_good_luhn_digit_is_valid() -> None:
    v.validate_siren("732829320")


def test_a_siren_with_a_bad_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError, match="SIREN"):
        v.validate_siren("732829321")


def test_a_siret_is_checked_as_a_whole() -> None:
    v.validate_siret("73282932000074")
    with pytest.raises(ValidationError, match="SIRET"):
        v.validate_siret("73282932000075")


@pytest.mark.parametrize("number", ["FR40303265045", "GB980780684", "DE136695976", "CHE116281710MWST"])
def test_vat_numbers_of_the_eu_and_beyond_are_checked_by_their_country_prefix(number: str) -> None:
    v.validate_vat(number)


@pytest.mark.parametrize("number", ["FR40303265046", "303265045", "XX123456789"])
def test_a_vat_number_with_a_bad_digit_or_no_country_is_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="VAT"):
        v.validate_vat(number)


def test_an_ein_has_a_known_prefix() -> None:
    v.validate_ein("12-3456789")
    with pytest.raises(ValidationError, match="EIN"):
        v.validate_ein("07-3456789")  # 07 is not an IRS campus prefix


@pytest.mark.parametrize("number", ["1234567890TQ0001", "1234567890 TQ 0001"])
def test_a_qst_number_is_ten_digits_tq_four_digits(number: str) -> None:
    v.validate_qst(number)


@pytest.mark.parametrize("number", ["123456789TQ0001", "1234567890RT0001", "1234567890TQ001"])
def test_a_qst_number_of_another_shape_is_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="QST"):
        v.validate_qst(number)


@pytest.mark.parametrize("number", ["1123456789", "2212345678", "3312345678", "8812345678"])
def test_an_neq_starts_with_a_known_pair(number: str) -> None:
    v.validate_neq(number)


@pytest.mark.parametrize("number", ["4412345678", "112345678", "11234567890"])
def test_an_neq_of_another_shape_is_refused(number: str) -> None:
    with pytest.raises(ValidationError, match="NEQ"):
        v.validate_neq(number)


# --- bank ------------------------------------------------------------------------------------------


def test_an_iban_with_good_check_digits_is_valid() -> None:
    v.validate_iban("FR7630006000011234567890189")


def test_an_iban_with_one_digit_changed_is_refused() -> None:
    with pytest.raises(ValidationError, match="IBAN"):
        v.validate_iban("FR7630006000011234567890188")


@pytest.mark.parametrize("bic", ["DEUTDEFF", "DEUTDEFF500", "BNPAFRPP"])
def test_a_bic_of_8_or_11_characters_is_valid(bic: str) -> None:
    v.validate_bic(bic)


@pytest.mark.parametrize("bic", ["DEUTDEF", "DEUT12FF", "DEUTDEFF5"])
def test_a_bic_of_another_shape_is_refused(bic: str) -> None:
    with pytest.raises(ValidationError, match="BIC"):
        v.validate_bic(bic)


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (v.validate_institution, ["815", "001"], ["81", "8150", "81a"]),
        (v.validate_transit, ["30000"], ["3000", "300000"]),
        (v.validate_bank_account, ["1234567", "123456789012"], ["123456", "1234567890123", "12345x7"]),
    ],
)
def test_canadian_bank_numbers_have_their_exact_lengths(validator, good: list[str], bad: list[str]) -> None:  # type: ignore[no-untyped-def]
    for value in good:
        validator(value)
    for value in bad:
        with pytest.raises(ValidationError):
            validator(value)


def test_a_canadian_account_needs_its_three_numbers_together() -> None:
    assert v.canadian_bank_errors(institution="815", transit="30000", account="1234567") == {}
    assert v.canadian_bank_errors(institution="", transit="", account="") == {}
    errors = v.canadian_bank_errors(institution="815", transit="", account="1234567")
    assert set(errors) == {"bank_transit"}


# --- phones, emails, websites, codes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("819 555 0100", "+1 819-555-0100"),
        ("(819) 555-0100", "+1 819-555-0100"),
        ("+33 1 42 68 53 00", "+33 1 42 68 53 00"),
    ],
)
def test_a_phone_is_stored_in_international_format(typed: str, stored: str) -> None:
    assert v.normalise_phone(typed) == stored


@pytest.mark.parametrize("phone", ["555 0100", "+1 514 000 0000", "not a phone", "+1 819 555 01000"])
def test_a_phone_that_cannot_exist_is_refused(phone: str) -> None:
    with pytest.raises(ValidationError):
        v.normalise_phone(phone)


def test_a_website_without_scheme_gets_https() -> None:
    assert v.normalise_website(" www.laurentides.example ") == "https://www.laurentides.example"
    assert v.normalise_website("http://laurentides.example") == "http://laurentides.example"
    assert v.normalise_website("") == ""


def test_a_website_is_a_web_address() -> None:
    v.validate_website("https://laurentides.example")
    with pytest.raises(ValidationError, match="https://"):
        v.validate_website("ftp://laurentides.example")


@pytest.mark.parametrize("code", ["C00001", "LAUR-01", "a.b_c"])
def test_a_code_holds_letters_digits_and_simple_punctuation(code: str) -> None:
    v.validate_code(code)


@pytest.mark.parametrize("code", ["", "-C1", "C 1", "C/1", "Cé1"])
def test_a_code_with_spaces_or_other_signs_is_refused(code: str) -> None:
    with pytest.raises(ValidationError):
        v.validate_code(code)


def test_currency_and_country_are_iso_codes() -> None:
    v.validate_currency("CAD")
    v.validate_country("FR")
    with pytest.raises(ValidationError):
        v.validate_currency("CAN")
    with pytest.raises(ValidationError):
        v.validate_country("XX")


# --- addresses -------------------------------------------------------------------------------------


def _errors(country: str, province: str = "", postal_code: str = "") -> dict[str, str]:
    return v.address_errors(country=country, province=province, postal_code=postal_code)


def test_a_canadian_address_with_province_and_postal_code_is_valid() -> None:
    assert _errors("CA", "QC", "J1H 1A1") == {}


@pytest.mark.parametrize("country", ["CA", "US", "AU", "MX"])
def test_the_province_is_required_where_addresses_carry_it(country: str) -> None:
    assert "province" in _errors(country, "", "")


@pytest.mark.parametrize("country", ["FR", "DE", "GB", "SE", "BE", "JE"])
def test_the_province_is_optional_where_post_goes_without_it(country: str) -> None:
    assert "province" not in _errors(country, "", "")


def test_a_province_that_is_not_of_the_country_is_refused() -> None:
    assert "province" in _errors("CA", "ZZ", "J1H 1A1")
    assert "province" in _errors("CA", "VT", "J1H 1A1")  # Vermont is a US state


def test_a_french_department_or_region_may_be_named() -> None:
    assert _errors("FR", "13", "13001") == {}  # Bouches-du-Rhône
    assert _errors("FR", "IDF", "75001") == {}


@pytest.mark.parametrize(
    ("country", "province", "postal_code"),
    [("CA", "QC", "J1H1A1"), ("US", "VT", "05401"), ("US", "VT", "05401-1234"), ("FR", "", "75001")],
)
def test_postal_codes_of_the_known_formats_pass(country: str, province: str, postal_code: str) -> None:
    assert _errors(country, province, postal_code) == {}


@pytest.mark.parametrize(
    ("country", "province", "postal_code"),
    [
        ("CA", "QC", "12345"),
        ("CA", "QC", "D1H 1A1"),  # D is never the first letter of a Canadian postal code
        ("US", "VT", "0540"),
        ("US", "VT", "054011"),
        ("FR", "", "7500"),
        ("FR", "", "750011"),
    ],
)
def test_postal_codes_of_another_shape_are_refused(country: str, province: str, postal_code: str) -> None:
    assert "postal_code" in _errors(country, province, postal_code)


def test_a_canadian_postal_code_must_belong_to_its_province() -> None:
    errors = _errors("CA", "ON", "J1H 1A1")  # J is Québec

    assert "postal_code" in errors
    assert "K or L or M or N or P" in errors["postal_code"]


@pytest.mark.parametrize("country", ["CA", "US", "FR"])
def test_the_postal_code_is_required_where_a_format_is_known(country: str) -> None:
    assert "postal_code" in _errors(country, {"CA": "QC", "US": "VT", "FR": ""}[country], "")


def test_the_postal_code_is_free_where_no_format_is_known() -> None:
    assert _errors("JE", "", "") == {}


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [("CA", "j1h1a1", "J1H 1A1"), ("GB", "sw1a1aa", "SW1A 1AA"), ("US", "054011234", "05401-1234")],
)
def test_postal_codes_are_written_the_way_the_post_writes_them(country: str, typed: str, stored: str) -> None:
    assert v.normalise_postal_code(country, typed) == stored


def test_an_unknown_country_is_the_only_error_given() -> None:
    assert set(_errors("XX", "QC", "J1H 1A1")) == {"country"}


@pytest.mark.parametrize(
    "address",
    [
        "jean@example.ca",
        "Jean.Dupont+factures@sub.example.fr",
        "ops@[192.168.0.1]",
        "ops@[IPv6:2001:db8::1]",
        '"quoted local"@example.com',
        "élise@exemple.fr",
        "user@localhost",
        "no-at-sign.example.ca",
        "two@@example.ca",
        "user@-example.ca",
        "user@example..ca",
        "user@exa mple.ca",
        "user@",
        "@example.ca",
        "a" * 65 + "@example.ca",
        "user@" + "d" * 64 + ".ca",
        "user@example.ca\n",
    ],
)
def test_the_email_rule_accepts_and_refuses_what_djangos_does(address: str) -> None:
    def verdict(check: Any) -> bool:
        try:
            check(address)
        except ValidationError:
            return False
        return True

    assert verdict(v.validate_email_address) == verdict(validate_email)
