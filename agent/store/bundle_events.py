"""The audit log of bundle steps (retrain, shadow, activate, rollback): who, when, from what.

The ACTIVE and SHADOW pointers live in the bundle folder, which every worker reads; this log
lives in the database beside the decisions those bundles made, so `bundles list/show` can say
who promoted what, and `bundles rollback` knows which bundle was active before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from agent.store.db import Database
from agent.store.models import BundleEvent

ACTIVATIONS = ("activate", "rollback")


class BundleEventLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, action: str, bundle_id: str | None, actor: str,
               previous_id: str | None = None, forced: bool = False, reason: str | None = None,
               detail: dict[str, Any] | None = None) -> BundleEvent:
        with self.db.session() as session:
            event = BundleEvent(action=action, bundle_id=bundle_id, previous_id=previous_id,
                                actor=actor, forced=forced, reason=reason, detail=detail or {})
            session.add(event)
            session.flush()
            return event

    def events(self, bundle_id: str | None = None) -> list[BundleEvent]:
        """Every step, oldest first; only those naming `bundle_id` (as subject or previous)."""
        query = select(BundleEvent).order_by(BundleEvent.id)
        if bundle_id is not None:
            query = query.where((BundleEvent.bundle_id == bundle_id)
                                | (BundleEvent.previous_id == bundle_id))
        with self.db.session() as session:
            return list(session.scalars(query))

    def last(self, action: str, bundle_id: str | None = None) -> BundleEvent | None:
        query = select(BundleEvent).where(BundleEvent.action == action)
        if bundle_id is not None:
            query = query.where(BundleEvent.bundle_id == bundle_id)
        with self.db.session() as session:
            return session.scalars(query.order_by(BundleEvent.id.desc()).limit(1)).first()

    def active_history(self, active: str | None) -> list[str]:
        """The bundles that were active, oldest first, as activations and rollbacks left them
        (an activation pushes, a rollback pops), ending with `active`. An activation the log
        did not see (`papertrail train --activate`, the demo bundle) counts as pushed last."""
        stack: list[str] = []
        for event in self.events():
            if event.action == "activate" and event.bundle_id:
                for bundle in (event.previous_id, event.bundle_id):
                    if bundle and (not stack or stack[-1] != bundle):
                        stack.append(bundle)
            elif event.action == "rollback" and event.bundle_id:
                if event.bundle_id in stack:
                    del stack[len(stack) - stack[::-1].index(event.bundle_id):]
                else:
                    stack.append(event.bundle_id)
        if active is not None and (not stack or stack[-1] != active):
            stack.append(active)
        return stack

    def rollback_target(self, active: str | None) -> str | None:
        """The bundle active before the current one, or None when there was none."""
        history = self.active_history(active)
        return history[-2] if len(history) > 1 else None
