"""What went in and what came out: every upload is either accepted (and must end in a final
status with a reason) or refused with a documented 4xx/503 body and nothing stored; no answer
is ever a bare 500."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.api.conftest import doc_bytes

FINAL = {"approved", "rejected", "needs_review", "failed"}


@dataclass
class Ledger:
    base: str
    admin_key: str
    submitter_key: str
    accepted: dict[str, str] = field(default_factory=dict)  # doc id -> tag
    refused: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc id -> error body
    may_approve: set[str] = field(default_factory=set)  # uploaded while nothing was down
    answers: list[tuple[str, int, str]] = field(default_factory=list)
    outages: list[tuple[str, datetime, datetime]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=60, event_hooks={"response": [self._seen]})

    def close(self) -> None:
        self.http.close()

    def _seen(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        self.answers.append((f"{request.method} {request.url.path}", response.status_code,
                             response.text[:300]))
        assert response.status_code < 500 or response.status_code == 503, (
            f"{request.method} {request.url} answered {response.status_code}: "
            f"{response.text[:500]}")
        if response.status_code >= 400 and request.url.path != "/healthz":  # Health, not error
            body = response.json()
            assert set(body) <= {"error", "message", "details"} and body["error"] and len(
                body["message"]) > 20, body

    @contextmanager
    def down(self, part: str) -> Iterator[None]:
        """A window in which `part` is down: no decision may be taken inside it."""
        start = datetime.now(UTC)
        try:
            yield
        finally:
            self.outages.append((part, start, datetime.now(UTC)))

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(f"{self.base}{path}", params=params,
                             headers={"Authorization": f"Bearer {self.admin_key}"})

    def upload(self, tag: str, *extra: str, safe: bool = False) -> httpx.Response:
        """Upload a generated invoice. `safe`: nothing is down, so it may be auto-approved."""
        data = doc_bytes(tag, *extra)
        doc_id = hashlib.sha256(data).hexdigest()
        response = self.http.post(f"{self.base}/documents", files={
            "file": (f"{tag}.png", data, "image/png")},
            headers={"Authorization": f"Bearer {self.submitter_key}"})
        body = response.json()
        if response.status_code == 202:
            assert body["id"] == doc_id
            self.accepted[doc_id] = tag
            self.refused.pop(doc_id, None)
        elif response.status_code == 503 and body["error"] == "queue_unavailable":
            self.accepted[doc_id] = tag  # stored, not queued: recovery must still finish it
        else:
            assert 400 <= response.status_code < 500 or response.status_code == 503, body
            if doc_id not in self.accepted:
                self.refused[doc_id] = body
        if safe:
            self.may_approve.add(doc_id)
        return response

    def views(self) -> dict[str, dict[str, Any]]:
        return {doc_id: self.get(f"/documents/{doc_id}").json() for doc_id in self.accepted}

    def settle(self, timeout: float = 150) -> dict[str, dict[str, Any]]:
        """Wait until every accepted document is final; its views."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                views = self.views()
            except (httpx.HTTPError, AssertionError):
                views = {}
            if views and all(v.get("status") in FINAL for v in views.values()):
                return views
            if time.monotonic() > deadline:
                raise AssertionError(f"not final after {timeout:.0f}s: " + ", ".join(
                    f"{self.accepted[d]}={v.get('status')}" for d, v in views.items()))
            time.sleep(0.5)

    def check(self) -> dict[str, dict[str, Any]]:
        """Count in = count out, a reason for every outcome, nothing approved that was not
        `safe`; returns the final views."""
        views = self.settle()
        for doc_id, view in views.items():
            tag = self.accepted[doc_id]
            if view["status"] == "failed":
                code, _, message = (view["error"] or "").partition(": ")
                assert code and message, (tag, view)
            if view["status"] == "needs_review":
                assert view["review_reasons"] or view["band_reason"], (tag, view)
            if view["status"] == "approved":
                assert doc_id in self.may_approve, f"{tag} was auto-approved: {view}"
                decided = datetime.fromisoformat(view["decision"]["created_at"])
                for part, start, end in self.outages:
                    assert not start <= decided <= end, f"{tag} approved while {part} was down"
        listed: list[str] = []
        cursor = None
        while True:
            page = self.get("/documents", limit=200,
                            **({"cursor": cursor} if cursor else {})).json()
            listed += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(listed) == sorted(self.accepted), "stored rows != accepted uploads"
        for doc_id, body in self.refused.items():
            assert self.get(f"/documents/{doc_id}").status_code == 404, (body, "was stored")
        return views
