"""New records by the hundred thousand: copies of one blank record rather than a Model() call each.

Model() walks every field to give it its default (70 of them for a customer), which costs more than a row's
checks once an import holds a hundred thousand rows. A blank record's values are copied instead; the defaults
that are made anew each time (a date, an empty dict) are made anew for each copy, as Model() makes them.
"""

from typing import Any, Generic, TypeVar

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)


class Blank(Generic[M]):
    """Makes new records of a model as model(**values) does."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.values = {k: v for k, v in model().__dict__.items() if k != "_state"}
        self.fresh = [
            (f.attname, f.get_default)
            for f in model._meta.concrete_fields
            if f.has_default() and callable(f.default)
        ]
        # Something listening to the model's creation must see every record made: Model() for each.
        self.copies = not (pre_init.has_listeners(model) or post_init.has_listeners(model))

    def __call__(self, **values: Any) -> M:
        if not self.copies:
            return self.model(**values)
        record = self.model.__new__(self.model)
        record.__dict__.update(self.values)
        record._state = ModelState()
        for attname, default in self.fresh:
            record.__dict__[attname] = default()
        for name, value in values.items():
            setattr(record, name, value)
        return record
