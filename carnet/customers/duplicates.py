"""Likely twins of a customer about to be created: similar name, same business number, email or phone."""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import Contact, Customer
from .search import name_key
from .validators import normalise_phone

BUSINESS_NUMBER_FIELDS = ("vat_number", "gst_number", "qst_number", "siren", "siret", "neq", "ein")
NAME_SIMILARITY = 0.55  # trigram similarity on PostgreSQL
NAME_RATIO = 0.85  # difflib ratio of the reduced names elsewhere
MAX_TWINS = 10


@dataclass(frozen=True)
class Twin:
    customer: Customer
    why: str


def _similar_names(name: str, exclude_id: int | None) -> list[Customer]:
    key = name_key(name)
    if not key:
        return []
    base = Customer.objects.exclude(pk=exclude_id) if exclude_id else Customer.objects.all()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            base.filter(name_key__trigram_similar=key)
            .annotate(similarity=TrigramSimilarity("name_key", key))
            .filter(similarity__gte=NAME_SIMILARITY)
            .order_by("-similarity")[:MAX_TWINS]
        )
    # SQLite has no trigram index: narrow to names sharing the start of one of the longer words (a typo
    # is rarely in the first letters, and a dropped "s" or legal form changes nothing there), then compare
    # the reduced names in Python.
    stems = {w[:4] for w in sorted(key.split(), key=len, reverse=True)[:3] if len(w) >= 3}
    narrow = Q()
    for stem in stems or {key}:
        narrow |= Q(name_key__startswith=stem) | Q(name_key__contains=" " + stem)
    candidates = base.filter(narrow).only("id", "code", "name", "name_key")[:500]
    scored = [(SequenceMatcher(None, key, c.name_key).ratio(), c) for c in candidates]
    return [c for ratio, c in sorted(scored, key=lambda s: -s[0]) if ratio >= NAME_RATIO][:MAX_TWINS]


def _same_registration(numbers: dict[str, str]) -> Q:
    """The same business, written in another field: a SIRET starts with its SIREN, a French VAT number
    ends with it, and a GST/HST number starts with the 9-digit business number."""
    q = Q()
    siren = numbers.get("siren") or (numbers.get("siret") or "")[:9]
    vat = numbers.get("vat_number") or ""
    if not siren and vat.startswith("FR") and len(vat) == 13:
        siren = vat[4:]
    if len(siren) == 9:
        q |= (
            Q(siren=siren)
            | Q(siret__startswith=siren)
            | Q(vat_number__startswith="FR", vat_number__endswith=siren)
        )
    gst = numbers.get("gst_number") or ""
    if len(gst) >= 9:
        q |= Q(gst_number__startswith=gst[:9])
    return q


def _phones(values: list[str]) -> set[str]:
    """Phones as stored (international format), so that "819-555-0100" finds "+1 819-555-0100"."""
    phones = set()
    for value in values:
        if value:
            try:
                phones.add(normalise_phone(value))
            except ValidationError:
                phones.add(value)
    return phones


def find_twins(
    *,
    name: str,
    email: str = "",
    phone: str = "",
    business_numbers: dict[str, str] | None = None,
    contact_emails: list[str] | None = None,
    contact_phones: list[str] | None = None,
    exclude_id: int | None = None,
) -> list[Twin]:
    """Existing customers that look like the one described, each with the reason (for people)."""
    found: dict[int, Twin] = {}

    def add(customers: list[Customer], why: str) -> None:
        for customer in customers:
            if customer.pk != exclude_id and customer.pk not in found:
                found[customer.pk] = Twin(customer, why)

    numbers = {f: v for f, v in (business_numbers or {}).items() if v}
    for field, value in numbers.items():
        add(
            list(Customer.objects.filter(**{field: value})[:MAX_TWINS]),
            _("same %(field)s") % {"field": getattr(Customer._meta.get_field(field), "verbose_name", field)},
        )
    registration = _same_registration(numbers)
    if registration:
        add(list(Customer.objects.filter(registration)[:MAX_TWINS]), _("same business registration"))
    emails = {e.lower() for e in [email, *(contact_emails or [])] if e}
    if emails:
        email_q = Q()
        for e in emails:
            email_q |= Q(email__iexact=e) | Q(contacts__email__iexact=e)
        add(list(Customer.objects.filter(email_q).distinct()[:MAX_TWINS]), _("same email"))
    phones = _phones([phone, *(contact_phones or [])])
    if phones:
        owners = Contact.objects.filter(Q(phone__in=phones) | Q(mobile__in=phones)).values("customer_id")
        add(
            list(Customer.objects.filter(Q(phone__in=phones) | Q(pk__in=owners)).distinct()[:MAX_TWINS]),
            _("same phone"),
        )
    add(_similar_names(name, exclude_id), _("similar name"))
    return list(found.values())[:MAX_TWINS]
