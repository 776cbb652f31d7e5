"""The forms of the credit pages: a customer's limit in one company, a new hold, a company's credit policy.

They only parse what people type; the rules (a limit is not negative, a hold's end date is not past, who
may do what) are the services' (credit/services.py), whose field errors the views put beside the fields.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company

from .models import EXPOSURE_METHOD_CHOICES, HOLD_TYPE_CHOICES, LIMIT_ENFORCEMENT_CHOICES
from .vocabulary import ExposureMethod, LimitEnforcement

EVERY_COMPANY = "*"

# One line each, shown beside the choice on the settings page.
EXPOSURE_METHOD_HELP = {
    ExposureMethod.ALL_ORDERS.value: _(
        "The credit used is the unpaid invoices plus the open orders and draft invoices not yet posted."
    ),
    ExposureMethod.INVOICED_ONLY.value: _(
        "The credit used is the unpaid invoices; open orders do not count."
    ),
}
LIMIT_ENFORCEMENT_HELP = {
    LimitEnforcement.BLOCK_AT_ENTRY.value: _(
        "An order or invoice that goes over the limit is refused when it is entered, with the reason."
    ),
    LimitEnforcement.WARN_AT_ENTRY.value: _(
        "Over the limit, the operator is warned and may go on, saying why; the override is recorded."
    ),
    LimitEnforcement.CHECK_AT_POSTING.value: _(
        "Nothing at entry; posting an invoice over the limit gives a warning line, and the invoice is posted."
    ),
    LimitEnforcement.OFF.value: _("The limit is never checked (statuses and holds still are)."),
}


class LimitForm(forms.Form):
    company = forms.CharField(widget=forms.HiddenInput)
    limit = forms.DecimalField(
        label=_("Credit limit"),
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=_("Empty: no limit. Zero: no credit at all."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["limit"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


class HoldForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=HOLD_TYPE_CHOICES)
    company = forms.ChoiceField(label=_("Company"))
    reason_code = forms.CharField(
        label=_("Reason code"),
        required=False,
        max_length=30,
        help_text=_("A short code, for statistics (like DISPUTE)."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("The last day it applies; empty: until lifted."),
    )

    def __init__(self, *args: Any, companies: list[Company], every_company: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [(c.code, f"{c.code} — {c.name}") for c in companies]
        if every_company:
            choices.append((EVERY_COMPANY, str(_("Every company"))))
        self.fields["company"].choices = choices  # type: ignore[attr-defined]
        self.fields["type"].widget.attrs["class"] = "hold-type"

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "company": None if data["company"] == EVERY_COMPANY else data["company"],
            "type": data["type"],
            "reason_code": data["reason_code"],
            "comment": data["comment"],
            "ends_on": data["ends_on"],
        }


class PolicyForm(forms.Form):
    exposure_method = forms.ChoiceField(
        label=_("Exposure method"), choices=EXPOSURE_METHOD_CHOICES, widget=forms.RadioSelect
    )
    limit_enforcement = forms.ChoiceField(
        label=_("Limit enforcement"), choices=LIMIT_ENFORCEMENT_CHOICES, widget=forms.RadioSelect
    )
    credit_hold_queue = forms.BooleanField(
        label=_("Keep refused orders on credit hold"),
        required=False,
        help_text=_(
            "An order the check blocks is saved on credit hold, for a credit controller to release or "
            "reject, instead of being refused."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
