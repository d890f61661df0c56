"""`papertrail report`: the automation and review-load numbers as one self-contained HTML page
(Jinja2, inline SVG charts) and as a terminal table (rich)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.table import Table

from agent.drift_precision import AutoPrecision
from agent.store.activity import Activity, Counts
from api.report import svg

HERE = Path(__file__).parent
AUTO, PERSON, QA = "#2f7d4f", "#d08a2e", "#5b6abf"


def pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def age(hours: float | None) -> str:
    """A wait a person reads at a glance: hours up to two days, days beyond."""
    if hours is None:
        return "–"
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def label(report: Activity, c: Counts) -> str:
    if c.start is None:
        return "total"
    return c.start.strftime("%d %b") if report.period == "day" else \
        "wk " + c.start.strftime("%d %b")


def charts(report: Activity) -> dict[str, str]:
    labels = [label(report, c) for c in report.periods]
    p = report.periods
    return {
        "decisions": svg.stacked_bars(labels, [
            ("auto-approved", AUTO, [c.auto_approved for c in p]),
            ("decided by a person", PERSON, [c.reviewed for c in p])],
            "Decisions per period: auto-approved and by a person"),
        "auto_share": svg.line(labels, [None if c.auto_share is None else 100 * c.auto_share
                                        for c in p], AUTO, "Share auto-approved", "%", 100.0),
        "backlog": svg.line(labels, [float(c.backlog_end or 0) for c in p], PERSON,
                            "Review backlog at the end of each period"),
        "corrections": svg.line(labels, [c.corrections_per_100 for c in p], QA,
                                "Corrections per 100 review decisions"),
    }


def render_html(report: Activity, precision: AutoPrecision | None = None,
                title: str = "Papertrail: automation and review load") -> str:
    env = Environment(loader=FileSystemLoader(HERE), autoescape=select_autoescape(["j2"]))
    env.filters.update(pct=pct, num=num, age=age)
    return env.get_template("report.html.j2").render(
        report=report, t=report.totals, precision=precision, charts=charts(report),
        label=lambda c: label(report, c), title=title,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def table(report: Activity) -> Table:
    out = Table(title=f"Automation and review load per {report.period}, "
                f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d %H:%M} UTC")
    for column in ("period", "received", "decided", "auto-approved", "reviewed",
                   "corrections /100", "backlog (end)", "mean wait h", "QA disagreed"):
        out.add_column(column, justify="left" if column == "period" else "right")
    for c in [*report.periods, report.totals]:
        out.add_row(label(report, c), str(c.received), str(c.decided), pct(c.auto_share),
                    pct(c.reviewed_share), num(c.corrections_per_100), str(c.backlog_end),
                    num(c.wait_mean_hours), f"{c.qa_disagreed}/{c.qa_decided}",
                    style="bold" if c.start is None else None)
    return out
