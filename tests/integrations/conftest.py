from collections.abc import Iterator
from typing import Any

import pytest

from carnet.integrations import webhooks
from carnet.integrations.models import EventType, WebhookEndpoint

from .receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver not started yet (as a receiver that is down): call .start()."""
    made = Receiver()
    yield made
    made.stop()


@pytest.fixture
def fast_webhooks(settings: Any) -> None:
    settings.CARNET_WEBHOOK_TIMEOUT = 0.5


def add_endpoint(
    url: str, types: list[str] | None = None, company: Any = None
) -> tuple[WebhookEndpoint, str]:
    return webhooks.create_endpoint(
        actor=None, data={"url": url, "event_types": types or list(EventType.values), "company": company}
    )
