"""`papertrail user create | password | list`: accounts for the reviewer web app (/ui)."""

from __future__ import annotations

import sys
from enum import StrEnum

import typer
from rich.table import Table

from api.auth import Role
from api.cli_support import console, handles_user_errors, store
from api.users import UserRepository

user_app = typer.Typer(help="Accounts for the reviewer web app (passwords kept as Argon2 "
                       "hashes).", no_args_is_help=True)

RoleName = StrEnum("RoleName", [role.name for role in Role])
PasswordStdin = typer.Option(False, "--password-stdin",
                             help="Read the password from standard input (scripts).")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _accounts() -> UserRepository:
    return UserRepository(store().db)


@user_app.command("create")
@handles_user_errors
def create(
    name: str = typer.Argument(..., help="Account name: the identity lineage records."),
    role: RoleName = typer.Option(RoleName.reviewer, "--role",
                                  help="reviewer or admin decide reviews; a submitter may sign in "
                                  "but not review."),
    from_stdin: bool = PasswordStdin,
) -> None:
    """Create an account; asks for its password (at least 10 characters)."""
    _accounts().create(name, Role[role.value], _password(from_stdin))
    console.print(f"Created account [bold]{name}[/] ({role.value}). Sign in at /ui/login.")


@user_app.command("password")
@handles_user_errors
def password(name: str = typer.Argument(...), from_stdin: bool = PasswordStdin) -> None:
    """Set a new password for an account."""
    _accounts().set_password(name, _password(from_stdin))
    console.print(f"Password of [bold]{name}[/] changed.")


@user_app.command("list")
def list_users() -> None:
    """Every account and its role."""
    table = Table("name", "role", "created")
    for user in _accounts().list():
        table.add_row(user.name, user.role, user.created_at.isoformat(timespec="seconds"))
    console.print(table)
