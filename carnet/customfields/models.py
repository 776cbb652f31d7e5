"""The definitions of the fields each business adds to its customers and contacts.

The values live with the record they describe (Customer.custom_fields, Contact.custom_fields: {key: value}),
so that they travel with it in the API, the change history and the exports; a definition says how to read,
check, show and filter them.
"""

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    CUSTOMER = "customer", _("Customers")
    CONTACT = "contact", _("Contacts")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice from a list")
    LINK = "link", _("Link (URL)")


# Types whose values have an order, so that the list may filter them by a range.
RANGE_TYPES = frozenset({FieldType.NUMBER, FieldType.DECIMAL, FieldType.DATE})


def _in_reader_language(french: str, english: str) -> str:
    if (get_language() or "").startswith("fr"):
        return french or english
    return english or french


class CustomField(models.Model):
    target = models.CharField(_("applies to"), max_length=10, choices=Target.choices)
    # The name by which the API, the exports and the list's filters (cf_<key>) know the field; it never
    # changes, since the stored values are filed under it.
    key = models.CharField(_("key"), max_length=40)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_fr = models.CharField(_("label (French)"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    # The options of a choice field: [{"value": "pme", "label_fr": "PME", "label_en": "SME"}, …].
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # A stored value (as validate_values stores it), given to new records that receive none.
    default = models.JSONField(_("default value"), null=True, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=300, blank=True)
    help_fr = models.CharField(_("help text (French)"), max_length=300, blank=True)
    show_in_list = models.BooleanField(_("column in the list"), default=False)
    filterable = models.BooleanField(_("filter in the list"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # An inactive field is hidden and takes no new values; the records that have one keep it.
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["target", "position", "key"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="custom_field_key_per_target"),
        ]

    def __str__(self) -> str:
        return f"{self.target}.{self.key}"

    def label(self) -> str:
        return _in_reader_language(self.label_fr, self.label_en)

    def help_text(self) -> str:
        return _in_reader_language(self.help_fr, self.help_en)

    def option_values(self) -> list[str]:
        return [str(option["value"]) for option in self.options or []]

    def option_label(self, value: Any) -> str:
        for option in self.options or []:
            if option["value"] == value:
                return _in_reader_language(option.get("label_fr", ""), option.get("label_en", "")) or str(
                    value
                )
        return str(value)

    def option_choices(self) -> list[tuple[str, str]]:
        return [(str(o["value"]), self.option_label(o["value"])) for o in self.options or []]
