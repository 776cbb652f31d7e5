"""The forms of the credit review pages: running a review, a criteria set (a company's or a customer's), the
daily schedule.

They only parse what people type; the rules (negative days, a percentage over 1000, an unknown external
code, a date in an impossible format) are the services' (credit/review.py, review_criteria.py,
scheduling.py), whose field errors the views put beside the fields. One rule is the form's own: a person
gives a percentage of the limit or a minimum overdue balance, not both (the service would let the percentage
win silently).
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company

from .review_criteria import Criteria
from .scheduling import APPLY, OFF, PREPARE

ACTION_CHOICES = [("blocked", _("Block the customer")), ("warning", _("Give the customer a warning"))]
SCHEDULE_CHOICES = [
    (OFF, _("Off")),
    (PREPARE, _("Prepare the proposal for a person to apply")),
    (APPLY, _("Run and apply it at once")),
]


class RunReviewForm(forms.Form):
    company = forms.ChoiceField(label=_("Company"))
    as_of = forms.CharField(
        label=_("As of"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "autocomplete": "off"}),
        help_text=_("YYYY-MM-DD; empty: today. Another day is a what-if."),
    )
    external_code = forms.CharField(
        label=_("External code"),
        required=False,
        max_length=30,
        help_text=_("Only the customers with this external code; empty: all."),
    )

    def __init__(self, *args: Any, companies: list[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [  # type: ignore[attr-defined]
            (c.code, f"{c.code} — {c.name}") for c in companies
        ]


class CriteriaForm(forms.Form):
    """A whole criteria set; empty days turn a criterion off. The values are kept as typed and checked by
    review_criteria.parse_criteria, which names the field of each error."""

    action = forms.ChoiceField(label=_("Blocking means"), choices=ACTION_CHOICES, initial="blocked")
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("The status reason the customers it blocks are given (shown at order entry)."),
    )
    grace_days = forms.CharField(
        label=_("Grace days"),
        required=False,
        max_length=10,
        help_text=_("Proposed when an unpaid invoice is older than this many days. Empty: off."),
    )
    limit_days = forms.CharField(
        label=_("Days for the overdue balance"),
        required=False,
        max_length=10,
        help_text=_(
            "By credit limit: the unpaid part of the invoices older than this many days. Empty: off."
        ),
    )
    limit_percent = forms.CharField(
        label=_("Percentage of the limit"),
        required=False,
        max_length=12,
        help_text=_("Proposed when the overdue balance is above this % of the credit limit (0 to 1000)."),
    )
    limit_minimum = forms.CharField(
        label=_("Minimum overdue balance"),
        required=False,
        max_length=20,
        help_text=_("Or: proposed when the overdue balance is above this amount."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("grace_days", "limit_days", "limit_percent", "limit_minimum"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("limit_percent") or "").strip() and (data.get("limit_minimum") or "").strip():
            self.add_error(
                "limit_minimum",
                _(
                    "Give a percentage of the limit or a minimum overdue balance, not both: "
                    "empty one of them."
                ),
            )
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: (data.get(name) or "").strip() or None for name in self.fields} | {
            "action": data.get("action") or "blocked",
            "reason": (data.get("reason") or "").strip(),
        }

    @staticmethod
    def initial_of(criteria: Criteria) -> dict[str, Any]:
        values = criteria.as_json()
        return {k: ("" if v is None else str(v)) for k, v in values.items()}


class ScheduleForm(forms.Form):
    review_schedule = forms.ChoiceField(
        label=_("Daily credit review"), choices=SCHEDULE_CHOICES, widget=forms.RadioSelect, initial=OFF
    )
    review_time = forms.CharField(
        label=_("At"),
        max_length=5,
        help_text=_("HH:MM, in the installation's time zone; the worker (carnet worker) must be running."),
        widget=forms.TextInput(attrs={"placeholder": "06:00", "autocomplete": "off", "size": 6}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
