"""The event form of the web UI. It parses what a person typed; the rules live in carnet.events.services,
whose field errors the views put back beside the matching field (the names are the same)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import User
from carnet.customers.models import Customer

from .choices import EventStatus, EventType
from .models import Event

DATETIME_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows, in any language
DATE_INPUT = "%Y-%m-%d"


class EventForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=EventType.choices, initial=EventType.CALL)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=EventStatus.choices, initial=EventStatus.PLANNED)
    starts_at = forms.DateTimeField(
        label=_("Start"),
        required=False,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        help_text=_("Calls and meetings."),
    )
    ends_at = forms.DateTimeField(
        label=_("End"),
        required=False,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        input_formats=[DATE_INPUT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_INPUT),
        help_text=_("Tasks only."),
    )
    contact = forms.ChoiceField(label=_("Contact"), required=False)
    assigned_to = forms.ChoiceField(label=_("Responsible"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, customer: Customer, event: Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inactive contacts are not offered, except the one the event already names.
        contacts = customer.contacts.filter(active=True)
        if event is not None and event.contact_id is not None:
            contacts = customer.contacts.filter(active=True) | customer.contacts.filter(pk=event.contact_id)
        self.fields["contact"].choices = [("", "—"), *((str(c.pk), c.name) for c in contacts)]  # type: ignore[attr-defined]
        users = User.objects.filter(is_active=True).order_by("username")
        self.fields["assigned_to"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((u.username, u.get_full_name() or u.username) for u in users),
        ]

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        return {
            "type": event.type,
            "subject": event.subject,
            "status": event.status,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "due_on": event.due_on,
            "contact": str(event.contact_id or ""),
            "assigned_to": event.assigned_to.username if event.assigned_to else "",
            "description": event.description,
            "version": event.version,
        }

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["contact"] = data.get("contact") or None
        data["assigned_to"] = data.get("assigned_to") or None
        return data
