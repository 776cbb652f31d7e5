"""What every history row carries besides simple-history's own columns: where the change came from and the
action it belongs to (see carnet/audit/history.py, which fills them, and context.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .context import Source


class RecordedChange(models.Model):
    """The abstract base of Carnet's historical models (`HistoricalRecords(bases=[RecordedChange])`)."""

    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SYSTEM)
    # One action's changes (a web request, an API call, a command, an import, a review) share it. Not
    # indexed: history is read by record, and a record's rows are few (an import writes one per record).
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        abstract = True
