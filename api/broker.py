"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file, polled quickly.

That transport polls: when a worker has no free slot, or the queue is empty, it sleeps
`polling_interval` (kombu's default 1 s) before it looks again, so a slot freed by a finished
task waits half a second on average for its next one: a third of the time of a one-second
document. kombu takes `polling_interval` from the transport options, but this transport hands
every option to `sqlalchemy.create_engine`, which refuses it; this subclass keeps it for the
poll and passes the rest on. Celery selects it by `broker_transport` with the `sqla+` prefix
taken off the URL (a URL-derived transport name may not be an import path).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import sqlalchemy

TRANSPORT = "api.broker:PollingSqlTransport"
SQL_PREFIXES = ("sqla+", "sqlalchemy+")


class PollingChannel(sqlalchemy.Channel):
    def _engine_from_config(self) -> Any:
        client = self.connection.client
        options = dict(client.transport_options)
        options.pop("polling_interval", None)
        saved, client.transport_options = client.transport_options, options
        try:
            return super()._engine_from_config()
        finally:
            client.transport_options = saved


class PollingSqlTransport(sqlalchemy.Transport):
    Channel = PollingChannel


def celery_broker(url: str, poll_seconds: float) -> dict[str, Any]:
    """Celery settings for a broker URL: the polling transport for `sqla+` URLs."""
    for prefix in SQL_PREFIXES:
        if url.startswith(prefix):
            return {"broker_url": url.removeprefix(prefix), "broker_transport": TRANSPORT,
                    "broker_transport_options": {"polling_interval": poll_seconds}}
    options = {"visibility_timeout": 3600} if url.startswith("redis") else {}
    # Redis redelivers a dead worker's message after `visibility_timeout` (acks late).
    return {"broker_url": url, "broker_transport_options": options}
