"""Type-ahead search over the customer book.

Each customer keeps `search_text`: its code, names, emails, phone digits, business numbers, cities and
contacts, lower-cased and without accents. A search is then one LIKE per word, which PostgreSQL answers
from a trigram index and SQLite by a scan of one narrow column.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import Customer
from .validators import phone_digits


def _without_marks(decomposed: str) -> str:
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case, strip accents and squeeze spaces, the same way for stored text and queries."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    # ASCII text has no accents to strip: most of it is (codes, emails, digits), and an import folds
    # every part of a hundred thousand customers.
    if not decomposed.isascii():
        decomposed = _without_marks(decomposed)
    # split() and join squeeze and strip the same whitespace as \s+ does (str.isspace).
    return " ".join(decomposed.lower().split())


def name_key(name: str) -> str:
    """A name reduced for twin detection: folded, without punctuation and legal-form words."""
    words = re.sub(r"[^\w\s]", " ", fold(name)).split()
    return " ".join(w for w in words if w not in LEGAL_FORMS)


LEGAL_FORMS = frozenset(
    {
        "inc",
        "ltd",
        "ltee",
        "limitee",
        "llc",
        "corp",
        "co",
        "sarl",
        "sas",
        "sa",
        "sasu",
        "eurl",
        "gmbh",
        "senc",
        "enr",
        "the",
        "les",
        "la",
        "le",
        "cie",
        "compagnie",
        "company",
        "corporation",
        "incorporated",
    }
)


def build_search_text(customer: Customer) -> str:
    if not customer.pk:
        return search_text_of(customer)
    return search_text_of(
        customer,
        # Former codes stay findable: people keep typing the code printed on last year's documents.
        former=former_codes(customer),
        contacts=customer.contacts.values_list("name", "email", "phone", "mobile"),
        cities=customer.addresses.values_list("city", flat=True).distinct(),
    )


def search_text_of(
    customer: Customer,
    *,
    former: Iterable[str] = (),
    contacts: Iterable[tuple[str, str, str, str]] = (),
    cities: Iterable[str] = (),
) -> str:
    """The search text of a customer given its former codes, its contacts (name, email, phone, mobile) and
    the cities of its addresses: what build_search_text reads one customer at a time, an import reads for
    a thousand customers at once."""
    parts: list[str] = [
        customer.code,
        customer.name,
        customer.legal_name,
        customer.email,
        customer.external_code,
        customer.vat_number,
        customer.gst_number,
        customer.qst_number,
        customer.siren,
        customer.siret,
        customer.neq,
        customer.ein,
    ]
    phones = [customer.phone]
    parts += list(former)
    for name, email, phone, mobile in contacts:
        parts += [name, email]
        phones += [phone, mobile]
    parts += list(dict.fromkeys(cities))
    # Phone digits both in full and without the country code, so "8195550100" and "18195550100" match.
    for phone in phones:
        digits = phone_digits(phone)
        if digits:
            parts.append(digits)
            if digits.startswith("1") and len(digits) == 11:
                parts.append(digits[1:])
    # As " | ".join(fold(p) for p in parts), lower-cased and squeezed at once rather than part by part (an
    # import builds a hundred thousand texts); the accents are stripped from the parts that have any. A
    # part left blank is left out.
    pieces = (p if p.isascii() else _without_marks(unicodedata.normalize("NFKD", p)) for p in parts if p)
    text = " | ".join(p for p in pieces if p and not p.isspace())
    return " ".join(text.lower().split())


def former_codes(customer: Customer) -> list[str]:
    """The codes this customer had before its current one, from its change history."""
    history = Customer.history.filter(id=customer.pk).exclude(code=customer.code)  # type: ignore[attr-defined]
    return sorted(set(history.values_list("code", flat=True)))


def former_holders(code: str) -> list[int]:
    """Ids of existing customers that once had this code (and have another one now)."""
    ids = Customer.history.filter(code=code).values_list("id", flat=True).distinct()  # type: ignore[attr-defined]
    return list(Customer.objects.filter(pk__in=list(ids)).exclude(code=code).values_list("pk", flat=True))


def refresh_search_text(customer: Customer) -> None:
    text = build_search_text(customer)
    if text != customer.search_text:
        Customer.objects.filter(pk=customer.pk).update(search_text=text)
        customer.search_text = text


TRIGRAM = 3


def narrows_by_index(query: str) -> bool:
    """True when a word of the query is long enough for the trigram index to narrow the rows. Shorter
    words ("a", "qc") match much of the book, where walking the sort order is the quicker plan."""
    return any(len(word) >= TRIGRAM for word in fold(query).split())


def search_customers(queryset: QuerySet[Customer], query: str) -> QuerySet[Customer]:
    """Customers whose search text holds every word of the query (digits of a phone match as typed)."""
    for word in fold(query).split():
        digits = phone_digits(word)
        # "555-0100" or "(819)" should match the stored phone digits.
        if digits and not re.search(r"[a-z]", word) and len(digits) >= 3 and digits != word:
            # Either phone digits or a number written with its punctuation ("9123-4567 Québec inc.").
            queryset = queryset.filter(Q(search_text__contains=digits) | Q(search_text__contains=word))
        else:
            queryset = queryset.filter(search_text__contains=word)
    return queryset
