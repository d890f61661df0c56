"""Post the review message once per document, update it once the review is decided, and
say in its thread when a decision was refused.

Runs in the worker, after the graph returned (never inside the interrupting node). A row in
`slack_messages` is claimed before posting, so concurrent or repeated calls post once.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from agent.settings import Settings, SlackSettings
from agent.store import Store
from api.page_images import NoPageImageError, PageImages
from api.slack.messages import decided_blocks, review_blocks
from api.tables import SlackMessage

log = logging.getLogger(__name__)


def web_client(slack: SlackSettings) -> WebClient:
    token = slack.bot_token.get_secret_value() if slack.bot_token else None
    if slack.api_base_url:
        return WebClient(token=token, base_url=slack.api_base_url)
    return WebClient(token=token)


class SlackNotifier:
    def __init__(self, client: WebClient, channel: str, store: Store,
                 settings: Settings | None = None) -> None:
        self.client, self.channel, self.store = client, channel, store
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings, store: Store) -> SlackNotifier | None:
        if not settings.slack.enabled:
            return None
        return cls(web_client(settings.slack), str(settings.slack.channel), store, settings)

    def _screen_url(self, doc_id: str) -> str | None:
        """The review screen at PAPERTRAIL_API_PUBLIC_URL (the address people reach)."""
        if self.settings is None:
            return None
        return f"{self.settings.api.resolved_public_url}/ui/reviews/{doc_id}"

    def sync(self, doc_id: str) -> str:
        """Post or update the message to match the review; say what was done."""
        review = self.store.reviews.get(doc_id)
        if review is None:
            return "no review"
        with self.store.db.session() as session:
            message = session.get(SlackMessage, doc_id)
        if review.status == "pending":
            return self._post(doc_id, review.payload) if message is None else "already posted"
        if message is None or message.ts is None:
            return "decided before any message was posted"
        if message.state == "closed":
            return "already updated"
        document = self.store.documents.get(doc_id)
        blocks = decided_blocks(doc_id, review.payload, review.decision, review.reviewer,
                                document.status if document else None)
        self.client.chat_update(channel=message.channel, ts=message.ts, blocks=blocks,
                                text=f"{review.reviewer} decided {doc_id[:12]}")
        self._set(doc_id, state="closed")
        return "updated"

    def refused(self, doc_id: str, reason: str) -> None:
        """Say, in the review message's thread, that a decision was refused and why."""
        with self.store.db.session() as session:
            message = session.get(SlackMessage, doc_id)
        thread = {"thread_ts": message.ts} if message is not None and message.ts else {}
        self.client.chat_postMessage(
            channel=message.channel if thread else self.channel, **thread,
            text=f":warning: A decision on {doc_id[:12]} was refused: {reason} The review "
            "is still waiting for a decision.")

    def _post(self, doc_id: str, payload: dict) -> str:
        try:
            with self.store.db.session() as session:
                session.add(SlackMessage(doc_id=doc_id, channel=self.channel))
        except IntegrityError:
            return "already posted"  # another worker claimed it first
        try:
            response = self.client.chat_postMessage(
                channel=self.channel,
                blocks=review_blocks(doc_id, payload, self._screen_url(doc_id)),
                text=f"Document {payload.get('filename') or doc_id[:12]} needs review")
        except Exception:
            with self.store.db.session() as session:  # let a retry post it
                session.delete(session.get(SlackMessage, doc_id))
            raise
        self._set(doc_id, state="posted", ts=response["ts"], channel=response["channel"])
        return "posted" + self._share_first_page(doc_id, response["channel"], response["ts"])

    def _share_first_page(self, doc_id: str, channel: str, ts: str) -> str:
        """Upload page 1 into the message's thread (the bot needs `files:write`). Slack cannot
        fetch /documents/{id}/pages/1 itself (it takes a key), so the image is sent. A failure
        is logged and never repeats the post."""
        document = self.store.documents.get(doc_id)
        if self.settings is None or document is None:
            return ""
        try:
            page = PageImages(self.store, self.settings).path(document, 1)
            self.client.files_upload_v2(
                channel=channel, thread_ts=ts, file=str(page), title="Page 1",
                filename=f"{doc_id[:12]}-page-1.png", alt_txt="The document's first page")
        except NoPageImageError:
            return ""  # plain text: the message shows its fields and snippet
        except Exception as exc:
            log.warning("could not upload page 1 of %s to Slack: %s: %s", doc_id,
                        type(exc).__name__, exc)
            return " (page 1 not uploaded)"
        return " with page 1"

    def _set(self, doc_id: str, **values: object) -> None:
        with self.store.db.session() as session:
            session.execute(update(SlackMessage).where(SlackMessage.doc_id == doc_id)
                            .values(**values))
