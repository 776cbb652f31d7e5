"""Forms of the integrations' pages. They only parse what a person typed; the services check the rules and
the views put their field errors back beside the field."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from carnet.accounts.models import Company

from .models import EventType, WebhookEndpoint


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("Where Carnet posts the events: an http:// or https:// address."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    company = forms.ChoiceField(label=_("Company"), required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("A paused webhook keeps its deliveries waiting until it is active again."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        company: forms.ChoiceField = self.fields["company"]  # type: ignore[assignment]
        company.choices = [("", _("Every company"))] + [
            (c.code, f"{c.code} — {c.name}") for c in Company.objects.order_by("code")
        ]

    @classmethod
    def initial_for(cls, endpoint: WebhookEndpoint) -> dict[str, Any]:
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "company": endpoint.company.code if endpoint.company_id and endpoint.company else "",
            "event_types": list(endpoint.event_types),
            "active": endpoint.active,
            "version": endpoint.version,
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["company"] = data.get("company") or None
        return data
