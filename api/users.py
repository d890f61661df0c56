"""Accounts for the reviewer web app: a name, a role and an Argon2 password hash.

API keys stay the way programs authenticate (api.auth); accounts are for people signing in to
/ui. Both give the same `Principal`, and the account name is the identity lineage records.
Failed sign-ins are counted per account name in the database, so every API process shares the
limit.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Integer, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from agent.store.db import Database
from agent.store.models import Base, UtcDateTime, utcnow
from api.auth import Principal, Role
from papertrail.errors import PapertrailError

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class UserError(PapertrailError):
    code = "invalid_user"


class User(Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LoginFailure(Base):
    """One failed sign-in for an account name (known or not): what the throttle counts."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, name: str, role: Role, password: str) -> None:
        if not NAME.match(name):
            raise UserError(f"Account name {name!r} is not allowed: use 1-64 letters, digits, "
                            "'.', '_', '@' or '-', starting with a letter or digit.")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"The password has {len(password)} characters; use at least "
                            f"{MIN_PASSWORD}.")
        taken = False
        try:
            with self.db.session() as session:
                taken = session.get(User, name) is not None
                if not taken:
                    session.add(User(name=name, role=role.name,
                                     password_hash=_hasher.hash(password)))
        except IntegrityError:
            taken = True  # created concurrently
        if taken:
            raise UserError(f"An account named {name!r} already exists; pick another name or "
                            "use `papertrail user password NAME` to change its password.")

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise UserError(f"The password has {len(password)} characters; use at least "
                            f"{MIN_PASSWORD}.")
        with self.db.session() as session:
            user = session.get(User, name)
            if user is None:
                raise UserError(f"No account named {name!r}; `papertrail user list` shows them.")
            user.password_hash = _hasher.hash(password)

    def list(self) -> list[User]:
        with self.db.session() as session:
            return list(session.scalars(select(User).order_by(User.name)))

    def principal(self, name: str) -> Principal | None:
        """The account's current role (a changed role applies to open sessions at once)."""
        with self.db.session() as session:
            user = session.get(User, name)
            return Principal(user.name, Role[user.role]) if user else None

    def authenticate(self, name: str, password: str) -> Principal | None:
        """The account if the password is right. An unknown name costs the same hashing
        time, so timing does not tell which names exist."""
        with self.db.session() as session:
            user = session.get(User, name)
            stored = user.password_hash if user else _DUMMY_HASH
            try:
                _hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if user is None:
                return None
            if _hasher.check_needs_rehash(stored):
                user.password_hash = _hasher.hash(password)
            return Principal(user.name, Role[user.role])

    def recent_failures(self, name: str, window: timedelta) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.name == name, LoginFailure.at >= utcnow() - window)) or 0

    def record_failure(self, name: str, window: timedelta) -> None:
        """Count a failure, and forget those older than the window (the table stays small)."""
        with self.db.session() as session:
            session.add(LoginFailure(name=name[:64]))
            session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - window))

    def clear_failures(self, name: str) -> None:
        with self.db.session() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.name == name))
