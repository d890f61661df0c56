"""The Slack app (slack-bolt), mounted in FastAPI at POST /slack/events.

Bolt verifies every request's signature and refuses timestamps older than five minutes
(replays). Only allow-listed Slack users may decide; each maps to a reviewer identity, which
is what lineage records. A click enqueues `papertrail.resume`; the worker then updates the
message with the outcome and who decided. A relabel to a label outside the review's label
set is answered with the allowed labels and enqueues nothing. A review already decided (here
or through the API) is answered with an ephemeral note and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from agent.settings import SlackSettings
from agent.store import Store
from agent.store.models import Review
from api.slack.messages import (
    APPROVE,
    EDIT,
    EDIT_MODAL,
    REJECT,
    RELABEL,
    edit_modal,
    modal_fields,
    unknown_label,
)
from api.slack.notifier import web_client

log = logging.getLogger(__name__)

EnqueueResume = Callable[[str, dict[str, Any]], None]


def build_bolt(slack: SlackSettings, store: Store, enqueue_resume: EnqueueResume) -> App:
    assert slack.bot_token and slack.signing_secret
    bolt = App(
        signing_secret=slack.signing_secret.get_secret_value(),
        client=web_client(slack),  # carries the bot token (and a test/proxy base URL)
        token_verification_enabled=False,
        process_before_response=True,  # handlers are quick: a DB read and an enqueue
    )
    channel = str(slack.channel)

    def tell(client: Any, user: str, where: str | None, text: str) -> None:
        client.chat_postEphemeral(channel=where or channel, user=user, text=text)

    def reviewer_for(user: str, client: Any, where: str | None) -> str | None:
        reviewer = slack.reviewers.get(user)
        if reviewer is None:
            log.warning("Slack user %s is not on the reviewer allow-list", user)
            tell(client, user, where, "You are not on Papertrail's reviewer list; ask an "
                 "admin to add your Slack user id to PAPERTRAIL_SLACK_REVIEWERS.")
        return reviewer

    def pending_or_say(doc_id: str, user: str, client: Any, where: str | None) -> Review | None:
        review = store.reviews.get(doc_id)
        if review is None:
            tell(client, user, where, f"No review for document {doc_id[:12]}.")
            return None
        if review.status != "pending":
            action = (review.decision or {}).get("action")
            tell(client, user, where, f"Already decided by {review.reviewer} ({action}); "
                 "nothing changed.")
            return None
        return review

    def decide(body: dict, client: Any, doc_id: str, action: str, **extra: Any) -> None:
        user = body["user"]["id"]
        where = (body.get("channel") or {}).get("id")
        reviewer = reviewer_for(user, client, where)
        if reviewer is None:
            return
        review = pending_or_say(doc_id, user, client, where)
        if review is None:
            return
        if action == "relabel":  # the graph would refuse it and the review would wait on
            refusal = unknown_label(extra["label"], review.payload)
            if refusal:
                tell(client, user, where, refusal)
                return
        enqueue_resume(doc_id, {"action": action, "reviewer": reviewer,
                                "note": f"via Slack by {user}", **extra})

    @bolt.action(APPROVE)
    def approve(ack: Any, body: dict, client: Any) -> None:
        ack()
        decide(body, client, body["actions"][0]["value"], "approve")

    @bolt.action(REJECT)
    def reject(ack: Any, body: dict, client: Any) -> None:
        ack()
        decide(body, client, body["actions"][0]["value"], "reject")

    @bolt.action(RELABEL)
    def relabel(ack: Any, body: dict, client: Any) -> None:
        ack()
        doc_id, _, label = body["actions"][0]["selected_option"]["value"].partition("|")
        decide(body, client, doc_id, "relabel", label=label)

    @bolt.action(EDIT)
    def edit(ack: Any, body: dict, client: Any) -> None:
        ack()
        doc_id, user = body["actions"][0]["value"], body["user"]["id"]
        where = (body.get("channel") or {}).get("id")
        if reviewer_for(user, client, where) and pending_or_say(doc_id, user, client, where):
            review = store.reviews.get(doc_id)
            client.views_open(trigger_id=body["trigger_id"],
                              view=edit_modal(doc_id, (review.payload or {}).get("fields", {})))

    @bolt.view(EDIT_MODAL)
    def edit_submitted(ack: Any, body: dict, view: dict, client: Any) -> None:
        fields = modal_fields(view)
        if not fields:
            ack(response_action="errors",
                errors={next(iter(view["state"]["values"]), "f_note"): "Change a field."})
            return
        ack()
        decide(body, client, view["private_metadata"], "edit", fields=fields)

    return bolt


def slack_router(bolt: App) -> APIRouter:
    router = APIRouter()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    return router
