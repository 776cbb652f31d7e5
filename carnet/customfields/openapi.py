"""The OpenAPI document's account of custom fields: the definitions of the installation, when it is served.

The schemas of customers and contacts carry `custom_fields` as an open object; this fills it with one
property per active field (its JSON type, label, help, options) and adds the list's cf_<key> filters to
GET /customers, so that a client generated from the document knows this installation's fields.
"""

from typing import Any

from django.db import DatabaseError

from .models import RANGE_TYPES, CustomField, FieldType, Target

# Schemas of the document (components) that carry the values of each target.
SCHEMAS = {
    Target.CUSTOMER: ("CustomerOut", "CustomerCreate", "CustomerUpdate", "PatchDictCustomerUpdate"),
    Target.CONTACT: ("ContactOut", "ContactWrite", "ContactUpdate", "PatchDictContactUpdate"),
}
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def value_schema(field: CustomField) -> dict[str, Any]:
    kind = field.type
    schema: dict[str, Any]
    if kind == FieldType.NUMBER:
        schema = {"type": "integer"}
    elif kind == FieldType.DECIMAL:
        schema = {
            "type": "string",
            "pattern": DECIMAL_PATTERN,
            "description": "A decimal as a string (12.5); numbers are accepted on input.",
        }
    elif kind == FieldType.DATE:
        schema = {"type": "string", "format": "date"}
    elif kind == FieldType.BOOLEAN:
        schema = {"type": "boolean"}
    elif kind == FieldType.CHOICE:
        schema = {"type": "string", "enum": field.option_values()}
    elif kind == FieldType.LINK:
        schema = {"type": "string", "format": "uri"}
    else:
        schema = {"type": "string", "maxLength": 1000}
    details = [field.label_en, field.help_en, "Required." if field.required else ""]
    if kind == FieldType.CHOICE:
        details.append("Options: " + ", ".join(f"{o['value']} ({o['label_en']})" for o in field.options))
    schema["title"] = field.label_en
    schema["description"] = " ".join(
        part for part in [*details, schema.get("description", "")] if part
    ).strip()
    return schema


def _values_object(fields: list[CustomField], *, writing: bool) -> dict[str, Any]:
    listing = "; ".join(f"`{f.key}` ({f.type}): {f.label_en}" for f in fields) or "none yet"
    properties = {}
    for field in fields:
        schema = value_schema(field)
        # On input, null (or an empty string) clears a value.
        properties[field.key] = {"anyOf": [schema, {"type": "null"}]} if writing else schema
        if writing:
            properties[field.key]["description"] = schema["description"]
    return {
        "type": "object",
        "title": "Custom fields",
        "description": "The values of the fields this installation adds, by key (definitions: "
        f"/api/v1/custom-fields). Defined now: {listing}. An unknown key answers 422 naming "
        "custom_fields.<key>." + (" On a change, only the keys sent change." if writing else ""),
        "properties": properties,
        "additionalProperties": False,
    }


def _filter_parameters(fields: list[CustomField]) -> list[dict[str, Any]]:
    parameters = []
    for field in fields:
        if not field.filterable:
            continue
        text = field.type in (FieldType.TEXT, FieldType.LINK)
        parameters.append(
            {
                "in": "query",
                "name": f"cf_{field.key}",
                "required": False,
                "schema": {"type": "string"},
                "description": f"{field.label_en}: "
                + ("contains this text." if text else "equals this value (as in CSV: yes/no, 2026-11-22)."),
            }
        )
        if field.type in RANGE_TYPES:
            for suffix, word in (("gte", "at least"), ("lte", "at most")):
                parameters.append(
                    {
                        "in": "query",
                        "name": f"cf_{field.key}__{suffix}",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": f"{field.label_en}: {word} this value.",
                    }
                )
    return parameters


def describe(document: dict[str, Any]) -> None:
    """Write the installation's custom fields into a generated OpenAPI document (in place)."""
    try:
        fields = list(CustomField.objects.filter(active=True).order_by("position", "key"))
    except DatabaseError:  # no database (the document generated offline): the open object stays
        return
    components = document.get("components", {}).get("schemas", {})
    for target, names in SCHEMAS.items():
        of_target = [f for f in fields if f.target == target]
        for name in names:
            schema = components.get(name)
            if schema and "custom_fields" in schema.get("properties", {}):
                schema["properties"]["custom_fields"] = _values_object(of_target, writing=name != names[0])
    listing = document.get("paths", {}).get("/api/v1/customers", {}).get("get")
    if listing is not None:
        customer_fields = [f for f in fields if f.target == Target.CUSTOMER]
        listing.setdefault("parameters", []).extend(_filter_parameters(customer_fields))
