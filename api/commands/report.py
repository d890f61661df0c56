"""`papertrail report [--since 30d] [--period day|week] [--out report.html]`: automation and
review load over time (agent/store/activity.py), as a terminal table and an HTML page."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from api.cli_support import console, handles_user_errors, settings, store
from papertrail.errors import PapertrailError


class BadSinceError(PapertrailError):
    code = "bad_since"
    kind = "invalid"


def parse_since(text: str, now: datetime) -> datetime:
    """`30d`, `6w`, `48h` ago, or a date / date-time (UTC when it names no zone)."""
    relative = re.fullmatch(r"(\d+)([hdw])", text.strip())
    if relative:
        amount, unit = int(relative[1]), relative[2]
        name = {"h": "hours", "d": "days", "w": "weeks"}[unit]
        return now - timedelta(**{name: amount})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadSinceError(f"--since {text!r} is neither a span (30d, 6w, 48h) nor a date "
                            "(2026-11-01, 2026-11-01T08:00).") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment >= now:
        raise BadSinceError(f"--since {text!r} is not in the past.")
    return moment


def active_precision():  # -> AutoPrecision | None
    """The active bundle's live precision of auto-approvals, when there is a bundle."""
    from agent.drift_precision import auto_precision, promise_of
    from classifiers.bundle import Registry, read_info

    registry = Registry(settings().bundle_dir)
    active = registry.active_id()
    if active is None:
        return None
    try:
        gate = read_info(registry.path(active)).gate
    except (OSError, PapertrailError):
        gate = None
    return auto_precision(store().db, active, promise_of(gate),
                          settings().drift.precision_window)


def register(app: typer.Typer) -> None:
    @app.command("report")
    @handles_user_errors
    def report(
        since: str = typer.Option("30d", help="Start: a span back from now (30d, 6w, 48h) "
                                  "or a date (2026-11-01)."),
        period: str = typer.Option("auto", help="day, week, or auto (days up to 45 days)."),
        out: Path | None = typer.Option(None, help="Also write the HTML page here."),
        as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON."),
    ) -> None:
        """Share auto-approved, share reviewed, review backlog and wait, corrections per 100
        review decisions, per day or week: the numbers a business owner asks for."""
        from agent.store.activity import activity
        from api.report.page import age, render_html, table

        now = datetime.now(UTC)
        start = parse_since(since, now)
        if period not in ("auto", "day", "week"):
            raise BadSinceError(f"--period {period!r}: use day, week or auto.")
        chosen = period if period != "auto" else (
            "day" if now - start <= timedelta(days=45) else "week")
        numbers = activity(store().db, start, now, chosen)  # type: ignore[arg-type]
        precision = active_precision()
        if as_json:
            body = numbers.model_dump(mode="json")
            body["totals"] |= numbers.totals.derived()
            body["precision"] = precision.model_dump() if precision else None
            typer.echo(json.dumps(body, indent=2))
        else:
            console.print(table(numbers))
            console.print(f"reviews waiting now: {numbers.backlog_now}" + (
                f", oldest {age(numbers.oldest_pending_hours)}"
                if numbers.oldest_pending_hours is not None else ""))
            if precision is not None and precision.n:
                console.print(
                    f"auto-approvals right when checked ({precision.bundle_id}): "
                    f"{precision.precision:.1%} of {precision.n}, interval "
                    f"{precision.lower:.1%}-{precision.upper:.1%}"
                    + (f", promised {precision.promise:.1%}" if precision.promise else "")
                    + (" [red]BELOW PROMISE[/red]" if precision.below_promise else ""))
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render_html(numbers, precision), encoding="utf-8")
            if not as_json:
                console.print(f"wrote {out}")
