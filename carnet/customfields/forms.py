"""Form fields for custom values (on the customer and contact forms) and the definition form (settings).

As elsewhere, forms only take what a person typed: the values reach validate_values as text, which parses
and checks them, so that a form, the API and an import give the same messages.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CustomField, FieldType, Target

FIELD_PREFIX = "custom_fields."
# The title of the custom fields' group on the customer's form and record.
GROUP_TITLE = _("Additional fields")


def _widget(field: CustomField) -> forms.Widget:
    if field.type == FieldType.NUMBER:
        return forms.NumberInput(attrs={"step": "1"})
    if field.type == FieldType.DECIMAL:
        return forms.TextInput(attrs={"inputmode": "decimal"})
    if field.type == FieldType.DATE:
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if field.type == FieldType.BOOLEAN:
        return forms.Select(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))])
    if field.type == FieldType.CHOICE:
        return forms.Select(choices=[("", "—"), *field.option_choices()])
    if field.type == FieldType.LINK:
        return forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://"})
    return forms.TextInput(attrs={"maxlength": str(services.TEXT_MAX)})


def value_field(field: CustomField, *, initial: Any) -> forms.CharField:
    return forms.CharField(
        label=field.label(),
        help_text=field.help_text(),
        required=field.required,
        initial=services.format_text(field, initial),
        widget=_widget(field),
    )


def add_value_fields(form: forms.BaseForm, target: str, values: dict[str, Any] | None) -> list[str]:
    """Add a field per active definition of `target`, named custom_fields.<key> (the name the services'
    errors give); a new record (`values` None) starts from the defaults. Answers the names added."""
    names = []
    for field in services.definitions(target):
        initial = field.default if values is None else values.get(field.key)
        name = FIELD_PREFIX + field.key
        form.fields[name] = value_field(field, initial=initial)
        if field.type == FieldType.TEXT:
            form.fields[name].layout = "span2"  # type: ignore[attr-defined]
        names.append(name)
    return names


def pop_values(data: dict[str, Any]) -> dict[str, str] | None:
    """Take the custom values out of a form's cleaned data, as the services take them ({key: text});
    None when the form had none."""
    names = [name for name in data if name.startswith(FIELD_PREFIX)]
    if not names:
        return None
    return {name[len(FIELD_PREFIX) :]: data.pop(name) or "" for name in names}


# --- the definition form (settings) ----------------------------------------------------------------


def options_text(field: CustomField) -> str:
    """The options as the settings form shows them: one a line, value | French label | English label."""
    lines = []
    for option in field.options or []:
        value, label_fr, label_en = option["value"], option.get("label_fr", ""), option.get("label_en", "")
        if label_fr == value and label_en == value:
            lines.append(value)
        else:
            lines.append(" | ".join([value, label_fr, label_en]))
    return "\n".join(lines)


def parse_options(text: str) -> list[dict[str, str]]:
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        value = parts[0]
        label_fr = parts[1] if len(parts) > 1 else ""
        label_en = parts[2] if len(parts) > 2 else ""
        options.append({"value": value, "label_fr": label_fr, "label_en": label_en})
    return options


class CustomFieldForm(forms.Form):
    """A definition. The target and key are chosen once (new field); they cannot change later."""

    target = forms.ChoiceField(label=_("Applies to"), choices=Target.choices)
    key = forms.CharField(
        label=_("Key"),
        required=False,
        help_text=_(
            "Lower-case letters and digits, words joined by _ (segment, sales_region). It names the field "
            "in the API, exports and filters; it cannot change later."
        ),
    )
    label_fr = forms.CharField(label=_("Label in French"), required=False, max_length=100)
    label_en = forms.CharField(label=_("Label in English"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Choice fields: one option a line, as value, or value | French label | English label. "
            "An option that customers hold cannot be removed."
        ),
    )
    default = forms.CharField(
        label=_("Default value"),
        required=False,
        help_text=_("Given to new records; yes/no, an option's value, a date as YYYY-MM-DD."),
    )
    help_fr = forms.CharField(label=_("Help text in French"), required=False, max_length=300)
    help_en = forms.CharField(label=_("Help text in English"), required=False, max_length=300)
    required = forms.BooleanField(label=_("Required"), required=False)
    show_in_list = forms.BooleanField(label=_("Column in the customer list"), required=False)
    filterable = forms.BooleanField(label=_("Filter in the customer list"), required=False)
    position = forms.IntegerField(
        label=_("Position"), required=False, min_value=0, help_text=_("Fields are shown by position.")
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            for name in ("target", "key"):
                self.fields[name].disabled = True
                self.fields[name].required = False
        self.fields["key"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["options"].layout = "span2"  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(field: CustomField) -> dict[str, Any]:
        return {
            "target": field.target,
            "key": field.key,
            "label_fr": field.label_fr,
            "label_en": field.label_en,
            "type": field.type,
            "options": options_text(field),
            "default": services.format_text(field, field.default),
            "help_fr": field.help_fr,
            "help_en": field.help_en,
            "required": field.required,
            "show_in_list": field.show_in_list,
            "filterable": field.filterable,
            "position": field.position,
            "active": field.active,
            "version": field.version,
        }

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version" and not self.fields[k].disabled}
        data["options"] = parse_options(data.get("options") or "")
        data["default"] = data.get("default") or None
        if data.get("position") is None:
            data.pop("position", None)
        return data
