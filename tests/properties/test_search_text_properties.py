"""A customer's search text, built at once, is the text of its parts folded one by one and joined."""

from types import SimpleNamespace
from typing import cast

from hypothesis import given
from hypothesis import strategies as st

from carnet.customers.models import Customer
from carnet.customers.search import fold, search_text_of

FIELDS = (
    "code",
    "name",
    "legal_name",
    "email",
    "external_code",
    "vat_number",
    "gst_number",
    "qst_number",
    "siren",
    "siret",
    "neq",
    "ein",
    "phone",
)

# Letters with and without accents, other scripts, combining marks, spaces of several kinds, digits.
text = st.text(
    alphabet=st.sampled_from("aZéÉçÇœŒßİ\u0131Σ\u03c3ςЖж日\u0301\u0327 \t\n\u00a0\u2003-.@|+0123456789"),
    max_size=20,
)


def _part_by_part(values: dict[str, str], contacts: list[tuple[str, str]], cities: list[str]) -> str:
    parts = [values[f] for f in FIELDS if f != "phone"]
    for name, email in contacts:
        parts += [name, email]
    parts += list(dict.fromkeys(cities))
    return " | ".join(fold(p) for p in parts if p and fold(p))


@given(
    values=st.fixed_dictionaries({f: text for f in FIELDS if f != "phone"}),
    contacts=st.lists(st.tuples(text, text), max_size=3),
    cities=st.lists(text, max_size=3),
)
def test_the_text_built_at_once_is_each_part_folded(
    values: dict[str, str], contacts: list[tuple[str, str]], cities: list[str]
) -> None:
    customer = cast(Customer, SimpleNamespace(**values, phone=""))
    built = search_text_of(customer, contacts=[(n, e, "", "") for n, e in contacts], cities=cities)
    assert built == _part_by_part(values, contacts, cities)
