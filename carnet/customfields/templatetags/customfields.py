"""Template filters for custom values: `{{ customer|custom_value:field }}` shows a value for people
(a link value as a link)."""

from typing import Any

from django import template

from carnet.customfields import services
from carnet.customfields.models import CustomField

register = template.Library()


@register.filter
def custom_value(record: Any, field: CustomField) -> str:
    values = getattr(record, "custom_fields", None) or {}
    return services.display_html(field, values.get(field.key))
