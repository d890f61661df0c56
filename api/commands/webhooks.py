"""`papertrail webhooks list | redeliver`: what was sent to the webhook receivers, and again."""

from __future__ import annotations

import json

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select, update

from api.cli_support import console, handles_user_errors, settings, store
from api.webhooks import WEBHOOK, WebhookDelivery
from api.worker import make_celery
from papertrail.errors import PapertrailError

webhooks_app = typer.Typer(help="Webhook deliveries (PAPERTRAIL_WEBHOOK_*).",
                           no_args_is_help=True)


class DeliveryNotFoundError(PapertrailError):
    code = "delivery_not_found"
    kind = "not_found"


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("list")
def list_deliveries(
    status: str | None = typer.Option(None, help="Only pending, delivered or failed."),
    limit: int = typer.Option(50, min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Newest deliveries first, with their attempts and last answer."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc()).limit(limit)
    if status:
        query = query.where(WebhookDelivery.status == status)
    with store().db.session() as session:
        rows = list(session.scalars(query))
    if as_json:
        console.print_json(json.dumps([{
            "id": r.id, "event": r.event, "doc_id": r.doc_id, "url": r.url, "status": r.status,
            "attempts": r.attempts, "last_status_code": r.last_status_code,
            "last_error": r.last_error, "created_at": r.created_at.isoformat()} for r in rows]))
        return
    table = Table("id", "event", "document", "url", "status", "attempts", "last answer")
    for r in rows:
        table.add_row(r.id[:8], r.event, r.doc_id[:12], escape(r.url), r.status,
                      str(r.attempts), escape(r.last_error or str(r.last_status_code or "")))
    console.print(table)


@webhooks_app.command("redeliver")
@handles_user_errors
def redeliver(delivery_id: str = typer.Argument(..., help="Delivery id (or a unique prefix).")
              ) -> None:
    """Queue a delivery again from its first attempt (e.g. after a receiver was fixed)."""
    with store().db.session() as session:
        ids = list(session.scalars(select(WebhookDelivery.id).where(
            WebhookDelivery.id.startswith(delivery_id)).limit(2)))
        if len(ids) != 1:
            raise DeliveryNotFoundError(
                f"No delivery {delivery_id!r}." if not ids else
                f"Several deliveries start with {delivery_id!r}; give more characters.")
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == ids[0])
                        .values(status="pending", attempts=0))
    make_celery(settings()).send_task(WEBHOOK, args=[ids[0]], ignore_result=True)
    console.print(f"Delivery {ids[0]} queued again.")
