"""Signed-in sessions: a random token in an HttpOnly, SameSite=Strict cookie; the database keeps
only its sha256, the account name, the CSRF token of the session and when it ends."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, mapped_column

from agent.store.db import Database
from agent.store.models import Base, UtcDateTime, utcnow

COOKIE = "papertrail_session"


class WebSession(Base):
    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user: Mapped[str] = mapped_column(String(64), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


@dataclass(frozen=True)
class OpenSession:
    user: str
    csrf: str

    def csrf_ok(self, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(self.csrf, sent or "")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def start(self, user: str, lifetime: timedelta) -> str:
        """A new session for `user`; returns the cookie value (shown nowhere else)."""
        token = secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
            session.add(WebSession(token_sha256=_digest(token), user=user,
                                   csrf=secrets.token_urlsafe(32),
                                   expires_at=utcnow() + lifetime))
        return token

    def get(self, token: str | None) -> OpenSession | None:
        if not token:
            return None
        with self.db.session() as session:
            row = session.get(WebSession, _digest(token))
            if row is None or row.expires_at <= utcnow():
                return None
            return OpenSession(row.user, row.csrf)

    def end(self, token: str | None) -> None:
        if token:
            with self.db.session() as session:
                session.execute(delete(WebSession).where(
                    WebSession.token_sha256 == _digest(token)))
