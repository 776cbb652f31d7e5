"""Whether a customer, address or contact is used, and by what.

Other parts of Carnet (documents, accounting sync) register their own checks here at start-up, so
that the delete and category rules count them without this module knowing about them.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from .models import Address, Contact, Customer

UsageCheck = Callable[[Customer], list[str]]

_customer_checks: list[Callable[[Customer], list[str]]] = []
_sales_checks: list[Callable[[Customer], bool]] = []
_address_checks: list[Callable[[Address], list[str]]] = []
_contact_checks: list[Callable[[Contact], list[str]]] = []


def register_customer_usage(check: Callable[[Customer], list[str]]) -> None:
    """A check returns the reasons (for people) why the customer is used; an empty list when it is not."""
    _customer_checks.append(check)


def register_sales_check(check: Callable[[Customer], bool]) -> None:
    """A check returns True when the customer has orders, invoices or accounting entries."""
    _sales_checks.append(check)


def register_address_usage(check: Callable[[Address], list[str]]) -> None:
    _address_checks.append(check)


def register_contact_usage(check: Callable[[Contact], list[str]]) -> None:
    _contact_checks.append(check)


def unregister(check: Callable) -> None:  # type: ignore[type-arg]
    for registry in (_customer_checks, _sales_checks, _address_checks, _contact_checks):
        if check in registry:
            registry.remove(check)


def _book_references(customer: Customer) -> list[str]:
    reasons = []
    billed = list(Customer.objects.filter(bill_to=customer).values_list("code", flat=True)[:5])
    if billed:
        reasons.append(_("It is the bill-to customer of %(codes)s.") % {"codes": ", ".join(billed)})
    subsidiaries = list(Customer.objects.filter(parent=customer).values_list("code", flat=True)[:5])
    if subsidiaries:
        reasons.append(_("It is the parent company of %(codes)s.") % {"codes": ", ".join(subsidiaries)})
    return reasons


def customer_usage(customer: Customer) -> list[str]:
    """Every reason why the customer cannot be deleted; empty when it can."""
    reasons = _book_references(customer)
    for check in _customer_checks:
        reasons.extend(check(customer))
    for address in customer.addresses.all():
        reasons.extend(address_usage(address))
    for contact in customer.contacts.all():
        reasons.extend(contact_usage(contact))
    return reasons


def has_sales(customer: Customer) -> bool:
    """True when the customer has orders, invoices or accounting entries (the Customer category stays)."""
    return any(check(customer) for check in _sales_checks)


def address_usage(address: Address) -> list[str]:
    reasons: list[str] = []
    for check in _address_checks:
        reasons.extend(check(address))
    return reasons


def contact_usage(contact: Contact) -> list[str]:
    reasons: list[str] = []
    for check in _contact_checks:
        reasons.extend(check(contact))
    return reasons
