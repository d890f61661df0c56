"""Automation and review load over time (agent/store/activity.py), on a real database filled
through the store's tables with known times: per day and week, shares, corrections per 100,
the backlog at the end of each day, review waits, QA disagreements; and `papertrail report`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from agent.settings import Settings
from agent.store import Store
from agent.store.activity import activity, window
from agent.store.models import Decision, Document, Review
from api.cli import app

D0 = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


def at(day: int, hour: float) -> datetime:
    return D0 + timedelta(days=day, hours=hour)


class Filler:
    def __init__(self, store: Store) -> None:
        self.store, self.n = store, 0

    def doc(self, received: datetime, action: str | None = None,
            decided: datetime | None = None,
            review: tuple[datetime, datetime | None, str] | None = None, qa: bool = False) -> None:
        """One document: received, maybe decided (`action`), maybe reviewed (opened, decided,
        verdict)."""
        self.n += 1
        doc_id = f"{self.n:064d}"
        with self.store.db.session() as session:
            session.add(Document(id=doc_id, filename=f"{self.n}.pdf", detected_type="pdf",
                                 size_bytes=1, page_count=1, status="approved",
                                 created_at=received, updated_at=received))
            session.flush()
            if action is not None:
                session.add(Decision(doc_id=doc_id, action=action, label="invoice", fields={},
                                     decided_by="x", band="confident",
                                     created_at=decided or received))
            if review is not None:
                opened, closed, verdict = review
                session.add(Review(doc_id=doc_id, status="decided" if closed else "pending",
                                   payload={"qa": qa} if qa else {}, created_at=opened,
                                   decided_at=closed,
                                   decision={"action": verdict} if closed else None,
                                   reviewer="rita" if closed else None))


@pytest.fixture
def filled(store: Store) -> Store:
    f = Filler(store)
    f.doc(at(-5, 9), "auto_approved")  # before the report: not counted
    f.doc(at(-1, 10), review=(at(-1, 10), at(0, 10), "approve"))  # waited 24 h
    f.doc(at(-1, 11), review=(at(-1, 11), None, ""))  # still waiting
    # day 0: 5 auto-approved, 2 approved and 1 relabelled by a person, 1 QA second look
    for i in range(5):
        f.doc(at(0, 8 + i / 10), "auto_approved")
    for hours, verdict in ((1, "approve"), (2, "approve"), (3, "relabel")):
        f.doc(at(0, 8), verdict, at(0, 8 + hours), review=(at(0, 8), at(0, 8 + hours),
                                                          verdict))
    # the QA look: opened day 0, decided (disagreeing) day 1; its document was one of the 5
    f.doc(at(0, 9), review=(at(0, 12), at(1, 12), "relabel"), qa=True)
    # day 1: 2 auto-approved, 1 edit, 1 reject, one review left waiting
    f.doc(at(1, 8), "auto_approved")
    f.doc(at(1, 8), "auto_approved")
    for verdict in ("edit", "reject"):
        f.doc(at(1, 9), verdict, at(1, 9.5), review=(at(1, 9), at(1, 9.5), verdict))
    f.doc(at(1, 15), review=(at(1, 15), None, ""))
    f.doc(at(3, 13), "auto_approved")  # after the report's end
    return store


def test_per_day_numbers(filled: Store) -> None:
    report = activity(filled.db, D0, at(3, 12), "day")
    assert [p.start.isoformat() for p in report.periods] == [
        "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    day0, day1, day2, day3 = report.periods
    assert (day0.received, day0.decided, day0.auto_approved, day0.reviewed) == (9, 8, 5, 3)
    assert day0.auto_share == pytest.approx(5 / 8) and day0.reviewed_share == pytest.approx(3 / 8)
    assert day0.corrections_per_100 == pytest.approx(100 / 3)
    # reviews: 4 opened (3 + QA), 4 decided (3 + the one from the day before)
    assert (day0.reviews_opened, day0.reviews_decided) == (4, 4)
    assert day0.wait_mean_hours == pytest.approx((1 + 2 + 3 + 24) / 4, abs=1e-3)
    assert day0.wait_seconds_max == pytest.approx(24 * 3600, abs=1)
    assert day0.backlog_end == 2  # 2 before, +4 opened, -4 decided
    assert (day1.decided, day1.auto_approved, day1.reviewed, day1.rejected) == (4, 2, 2, 1)
    assert day1.corrections_per_100 == pytest.approx(50.0)
    assert (day1.reviews_opened, day1.reviews_decided, day1.backlog_end) == (3, 3, 2)
    assert (day1.qa_decided, day1.qa_disagreed) == (1, 1)
    assert day2.decided == 0 and day2.auto_share is None and day2.backlog_end == 2
    assert day3.decided == 0  # the decision after the end is left out
    t = report.totals
    assert (t.received, t.decided, t.auto_approved, t.reviewed, t.corrections) == (
        14, 12, 7, 5, 2)
    assert t.corrections_per_100 == pytest.approx(40.0) and t.backlog_end == 2
    assert report.backlog_now == 2 and report.oldest_pending_hours > 24


def test_per_week_and_window(filled: Store) -> None:
    week = activity(filled.db, D0, at(3, 12), "week").periods
    assert len(week) == 1 and week[0].start.isoformat() == "2026-11-02"
    assert (week[0].decided, week[0].auto_approved, week[0].backlog_end) == (12, 7, 2)
    assert window(filled.db, at(1, 0), at(2, 0)).auto_approved == 2


def test_report_command(filled: Store, db_settings: Settings, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(db_settings.data_dir))
    if db_settings.database_url:
        monkeypatch.setenv("PAPERTRAIL_DATABASE_URL", db_settings.database_url)
    runner = CliRunner()
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--since", "2026-11-02", "--period", "week",
                                 "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["totals"]["decided"] == 13 and body["totals"]["auto_approved"] == 8
    assert body["totals"]["auto_share"] == pytest.approx(8 / 13)
    assert body["backlog_now"] == 2 and body["precision"] is None  # no bundle here
    page = out.read_text()
    assert page.count("<svg") == 4 and "61.5 %" in page and "<script" not in page
    assert "40.0" in page  # corrections per 100 review decisions

    shown = runner.invoke(app, ["report", "--since", "30d"])
    assert shown.exit_code == 0, shown.output
    assert "Automation and review load per day" in shown.output and "total" in shown.output
    bad = runner.invoke(app, ["report", "--since", "yesterday-ish"])
    assert bad.exit_code == 2 and "neither a span" in bad.output


def test_an_older_database_gets_the_time_indexes(store: Store, db_settings: Settings) -> None:
    from sqlalchemy import inspect, text

    with store.db.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_reviews_decided_at"))
    assert "ix_reviews_decided_at" not in {
        i["name"] for i in inspect(store.db.engine).get_indexes("reviews")}
    again = Store.from_settings(db_settings)  # as every process does when it starts
    assert "ix_reviews_decided_at" in {
        i["name"] for i in inspect(again.db.engine).get_indexes("reviews")}
    again.db.dispose()


def test_a_long_wait_reads_in_days() -> None:
    from api.report.page import age

    assert (age(None), age(5.25), age(47.9), age(1338.6)) == ("–", "5.2 h", "47.9 h", "55.8 days")
