"""Reading and checking custom values: each type's text form, the stored JSON, and validate_values'
refusals (unknown key, wrong type, choice not an option, missing required value), each naming the field."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from carnet.customfields import services
from carnet.customfields.models import CustomField

from .conftest import TYPES


@pytest.mark.parametrize(("kind", "typed", "stored", "_api"), TYPES)
def test_each_type_reads_text_and_writes_it_back(
    one_of_each: dict[str, CustomField], kind: str, typed: str, stored: Any, _api: Any
) -> None:
    field = one_of_each[kind]

    value = services.parse_text(field, typed)

    assert value == stored
    assert services.parse_text(field, services.format_text(field, value)) == stored
    assert services.parse_text(field, "  ") is None
    assert services.format_text(field, None) == ""


@pytest.mark.parametrize(
    ("kind", "typed", "rule"),
    [
        ("number", "12.5", "whole number"),
        ("number", "douze", "whole number"),
        ("decimal", "12,5,0", "decimal number"),
        ("decimal", "1.1234567", "6 after"),
        ("date", "22/11/2026", "YYYY-MM-DD"),
        ("boolean", "peut-être", "Yes or no"),
        ("choice", "Multinationale", "choose one of: PME, grand_compte"),
        ("link", "not a url", "web address"),
    ],
)
def test_a_wrong_value_names_the_rule(
    one_of_each: dict[str, CustomField], kind: str, typed: str, rule: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.parse_text(one_of_each[kind], typed)

    assert rule in caught.value.messages[0]


def test_the_same_amount_is_stored_one_way(one_of_each: dict[str, CustomField]) -> None:
    field = one_of_each["decimal"]

    spellings = ["1200", "1200.00", "1 200,0", "1.2E+3"]

    assert {services.parse_text(field, s) for s in spellings} == {"1200"}
    assert services.clean_value(field, 12.5) == "12.5"


def test_a_choice_is_found_by_its_label_in_either_language(one_of_each: dict[str, CustomField]) -> None:
    field = one_of_each["choice"]

    assert services.parse_text(field, "grand compte") == "grand_compte"
    assert services.parse_text(field, "Key account") == "grand_compte"


def test_json_values_of_the_wrong_type_are_refused(one_of_each: dict[str, CustomField]) -> None:
    wrong = {"number": True, "boolean": 1, "choice": 3, "date": 20261122, "text": ["a"], "decimal": False}

    with pytest.raises(ValidationError) as caught:
        services.validate_values("customer", {f"f_{k}": v for k, v in wrong.items()}, existing=None)

    assert set(caught.value.message_dict) == {f"custom_fields.f_{k}" for k in wrong}


def test_an_unknown_or_contact_key_is_refused_by_name(define: Callable[..., CustomField]) -> None:
    define("segment")
    define("badge", "text", target="contact")

    with pytest.raises(ValidationError) as caught:
        services.validate_values("customer", {"segmant": "PME", "badge": "x"}, existing=None)

    errors = caught.value.message_dict
    assert set(errors) == {"custom_fields.segmant", "custom_fields.badge"}
    assert "known keys: segment" in errors["custom_fields.segmant"][0]


def test_a_required_field_needs_a_value_on_create_and_keeps_it(define: Callable[..., CustomField]) -> None:
    define("region", "text", required=True)

    with pytest.raises(ValidationError) as missing:
        services.validate_values("customer", {}, existing=None)
    with pytest.raises(ValidationError) as cleared:
        services.validate_values("customer", {"region": ""}, existing={"region": "Estrie"})

    assert missing.value.message_dict == {"custom_fields.region": ["This field is required."]}
    assert list(cleared.value.message_dict) == ["custom_fields.region"]
    # A change that does not touch it leaves an older record alone.
    assert services.validate_values("customer", {}, existing={}) == {}


def test_defaults_apply_on_create_only(define: Callable[..., CustomField]) -> None:
    define("segment", default="PME")
    define("priority", "number", default="3")

    assert services.validate_values("customer", {}, existing=None) == {"segment": "PME", "priority": 3}
    assert services.validate_values("customer", {"segment": "grand_compte"}, existing=None) == {
        "segment": "grand_compte",
        "priority": 3,
    }
    assert services.validate_values("customer", {}, existing={"segment": "PME"}) == {"segment": "PME"}


def test_a_change_merges_and_an_empty_value_removes(define: Callable[..., CustomField]) -> None:
    define("segment")
    define("note", "text")

    merged = services.validate_values("customer", {"note": "Appeler avant"}, existing={"segment": "PME"})
    removed = services.validate_values("customer", {"segment": None}, existing=merged)

    assert merged == {"segment": "PME", "note": "Appeler avant"}
    assert removed == {"note": "Appeler avant"}


def test_a_deactivated_field_keeps_its_values_and_takes_no_new_one(
    define: Callable[..., CustomField],
) -> None:
    define("segment")
    services.set_active(actor=None, target="customer", key="segment", active=False)

    kept = services.validate_values("customer", {"segment": "PME"}, existing={"segment": "PME"})
    with pytest.raises(ValidationError) as caught:
        services.validate_values("customer", {"segment": "grand_compte"}, existing={"segment": "PME"})

    assert kept == {"segment": "PME"}
    assert list(caught.value.message_dict) == ["custom_fields.segment"]


def test_messages_and_labels_in_french(define: Callable[..., CustomField]) -> None:
    field = define("segment", label_en="Segment", label_fr="Créneau")

    with translation.override("fr"), pytest.raises(ValidationError) as caught:
        services.validate_values("customer", {"segment": "Autre"}, existing=None)
    with translation.override("fr"):
        label = field.label()
        shown = services.display(field, "grand_compte")

    assert caught.value.messages[0].startswith("Autre n\u2019est pas une option ; choisissez parmi")
    assert label == "Créneau"
    assert shown == "Grand compte"
