"""Roles and the permission matrix: the one place that says who may do what.

Every entry point (UI views, API handlers, command line, imports) asks `can(user, action)`;
docs/permissions.md is this table written for people.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CREDIT_CONTROLLER = "credit_controller", _("Credit controller")
    ACCOUNTANT = "accountant", _("Accountant")
    OPERATOR = "operator", _("Operator")
    VIEWER = "viewer", _("Viewer")


class Action(models.TextChoices):
    VIEW_CUSTOMERS = "customer.view", _("See customers")
    CREATE_CUSTOMER = "customer.create", _("Create customers")
    CHANGE_CUSTOMER = "customer.change", _("Change customers, their addresses, contacts and notes")
    CHANGE_CUSTOMER_CODE = "customer.change_code", _("Change a customer's code")
    CHANGE_CUSTOMER_STATUS = "customer.change_status", _("Change a customer's status")
    DELETE_CUSTOMER = "customer.delete", _("Delete unused customers")
    EXPORT_CUSTOMERS = "customer.export", _("Export customers to CSV")
    SET_CREDIT_LIMIT = "credit.set_limit", _("Set credit limits")
    MANAGE_HOLDS = "credit.manage_holds", _("Add and lift holds")
    OVERRIDE_WARNING = "credit.override", _("Override credit warnings")
    RELEASE_CREDIT_HOLD = "credit.release", _("Release or reject orders on credit hold")
    RUN_REVIEW = "review.run", _("Run credit reviews")
    APPLY_REVIEW = "review.apply", _("Apply credit reviews")
    ENTER_DOCUMENTS = "documents.enter", _("Enter quotes and orders")
    ENTER_INVOICES = "documents.invoice", _("Enter and post invoices, credit notes and payments")
    MANAGE_USERS = "admin.users", _("Manage users, companies and tokens of others")
    MANAGE_SETTINGS = "admin.settings", _("Change settings and note categories")
    MANAGE_WEBHOOKS = "admin.webhooks", _("Manage webhooks")
    SYNC_ACCOUNTING = "customer.sync_accounting", _("Send customers to accounting and record the answer")


_ALL = frozenset(Role.values)
_WRITERS = frozenset({Role.ADMIN, Role.CREDIT_CONTROLLER, Role.ACCOUNTANT, Role.OPERATOR})
_CREDIT = frozenset({Role.ADMIN, Role.CREDIT_CONTROLLER})
_MONEY = frozenset({Role.ADMIN, Role.CREDIT_CONTROLLER, Role.ACCOUNTANT})
_ADMIN = frozenset({Role.ADMIN})

PERMISSIONS: dict[str, frozenset[str]] = {
    Action.VIEW_CUSTOMERS: _ALL,
    Action.CREATE_CUSTOMER: _WRITERS,
    Action.CHANGE_CUSTOMER: _WRITERS,
    Action.CHANGE_CUSTOMER_CODE: _CREDIT,
    Action.CHANGE_CUSTOMER_STATUS: _CREDIT,
    Action.DELETE_CUSTOMER: _CREDIT,
    Action.EXPORT_CUSTOMERS: _ALL - {Role.OPERATOR},
    Action.SET_CREDIT_LIMIT: _CREDIT,
    Action.MANAGE_HOLDS: _CREDIT,
    Action.OVERRIDE_WARNING: _WRITERS,
    Action.RELEASE_CREDIT_HOLD: _CREDIT,
    Action.RUN_REVIEW: _MONEY,
    Action.APPLY_REVIEW: _CREDIT,
    Action.ENTER_DOCUMENTS: _WRITERS,
    Action.ENTER_INVOICES: _MONEY,
    Action.MANAGE_USERS: _ADMIN,
    Action.MANAGE_SETTINGS: _ADMIN,
    Action.MANAGE_WEBHOOKS: _ADMIN,
    Action.SYNC_ACCOUNTING: _MONEY,
}


def role_allows(role: str, action: str) -> bool:
    """True when the role may perform the action; an unknown action is never allowed."""
    return role in PERMISSIONS.get(action, frozenset())
