"""/metrics gauges of automation and review load over recent windows (agent/store/activity.py):
the last day and the last 7 days, each a handful of grouped queries at scrape time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from prometheus_client.core import GaugeMetricFamily

from agent.store.activity import window
from agent.store.db import Database

WINDOWS = {"1d": timedelta(days=1), "7d": timedelta(days=7)}


def metric_families(db: Database) -> Iterator[GaugeMetricFamily]:
    now = datetime.now(UTC)
    numbers = {name: window(db, now - span, now) for name, span in WINDOWS.items()}
    gauges = {
        "papertrail_window_decisions": ("Final decisions in the window.", "decided"),
        "papertrail_window_auto_approved_ratio": (
            "Share of the window's final decisions auto-approved.", "auto_share"),
        "papertrail_window_reviewed_ratio": (
            "Share of the window's final decisions made by a person.", "reviewed_share"),
        "papertrail_window_corrections_per_100_reviews": (
            "Relabels and edits per 100 decisions by a person in the window.",
            "corrections_per_100"),
        "papertrail_window_review_wait_mean_seconds": (
            "Mean time from review request to decision, of reviews decided in the window.",
            "wait_mean_seconds"),
        "papertrail_window_reviews_opened": ("Reviews requested in the window.",
                                             "reviews_opened"),
        "papertrail_window_reviews_decided": ("Reviews decided in the window.",
                                              "reviews_decided"),
    }
    for metric, (help_text, field) in gauges.items():
        gauge = GaugeMetricFamily(metric, help_text, labels=["window"])
        for name, counts in numbers.items():
            if field == "wait_mean_seconds":
                value = counts.wait_mean_hours * 3600 if counts.wait_mean_hours is not None \
                    else None
            else:
                value = getattr(counts, field)
            if value is not None:  # no decision in the window: no ratio, not 0
                gauge.add_metric([name], float(value))
        yield gauge
