"""The drift verdict as the API reports it: the active bundle's reference profile read from
its bundle.json (no model is loaded in the API process), the window from the database."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily

from agent.drift import DriftReport
from agent.drift_precision import Promise, promise_of
from api.app_resources import AppResources
from api.schemas import ComponentHealth
from classifiers.bundle import Registry, read_info
from classifiers.drift import ReferenceProfile
from papertrail.errors import PapertrailError


def active_reference(state: AppResources) -> tuple[str | None, ReferenceProfile | None]:
    bundle_id, profile, _ = active_bundle(state)
    return bundle_id, profile


def active_bundle(state: AppResources) -> tuple[str | None, ReferenceProfile | None,
                                                Promise | None]:
    """The active bundle's id, reference profile and certified promise."""
    registry = Registry(state.settings.bundle_dir)
    active = registry.active_id()
    if active is None:
        return None, None, None
    try:
        info = read_info(registry.path(active))
    except (OSError, PapertrailError):  # a broken bundle: /healthz reports it
        return active, None, None
    return active, info.profile, promise_of(info.gate)


def report(state: AppResources, fresh: bool = False) -> DriftReport:
    bundle_id, profile, promise = active_bundle(state)
    return state.drift.report(bundle_id, profile, fresh=fresh, promise=promise)


def component(state: AppResources) -> ComponentHealth:
    """/healthz: `degraded` while drift suspends auto-approval, `ok` otherwise."""
    try:
        drift = report(state)
    except Exception as exc:  # shown, not raised: a health check
        return ComponentHealth(status="error", detail={"error": f"{type(exc).__name__}: {exc}"})
    detail = {"status": drift.status, "detail": drift.detail, "action": drift.action,
              "suspension_reason": drift.suspension_reason}
    if drift.status in ("no_bundle", "no_reference_profile"):
        return ComponentHealth(status="not_configured", detail=detail)
    return ComponentHealth(status="degraded" if drift.suspended else "ok", detail=detail)


def metric_families(state: AppResources) -> Iterator[GaugeMetricFamily]:
    drift = report(state)
    value = GaugeMetricFamily("papertrail_drift_psi", "Population-stability index of each "
                              "signal, recent documents against the bundle's reference "
                              "profile.", labels=["signal"])
    flagged = GaugeMetricFamily("papertrail_drift_drifted", "1 when the signal's PSI is above "
                                "PAPERTRAIL_DRIFT_PSI_THRESHOLD.", labels=["signal"])
    for signal in drift.signals:
        value.add_metric([signal.signal], signal.psi)
        flagged.add_metric([signal.signal], int(signal.drifted))
    yield value
    yield flagged
    yield GaugeMetricFamily("papertrail_drift_window_documents",
                            "Recent documents the drift check compared.", value=drift.window)
    yield GaugeMetricFamily("papertrail_drift_suspended",
                            "1 while drift suspends auto-approval.", value=int(drift.suspended))
    yield from precision_families(drift)


def precision_families(drift: DriftReport) -> Iterator[GaugeMetricFamily]:
    """The active bundle's live precision of auto-approvals (agent/drift_precision.py)."""
    precision = drift.precision
    value = GaugeMetricFamily(
        "papertrail_auto_precision", "Live precision of auto-approvals from reviews of "
        "auto-approved documents (QA second looks): estimate and Clopper-Pearson bounds.",
        labels=["bundle", "bound"])
    reviewed = GaugeMetricFamily("papertrail_auto_precision_reviewed", "Reviewed "
                                 "auto-approvals the estimate is based on.", labels=["bundle"])
    below = GaugeMetricFamily("papertrail_auto_precision_below_promise", "1 when the upper "
                              "bound is below the bundle's certified target precision.",
                              labels=["bundle"])
    promised = GaugeMetricFamily("papertrail_auto_precision_promise", "The bundle's certified "
                                 "target precision (absent without a certified gate).",
                                 labels=["bundle"])
    if precision is not None:
        bundle = precision.bundle_id
        for bound in ("precision", "lower", "upper"):
            number = getattr(precision, bound)
            if number is not None:
                value.add_metric([bundle, "estimate" if bound == "precision" else bound],
                                 number)
        reviewed.add_metric([bundle], precision.n)
        below.add_metric([bundle], int(precision.below_promise))
        if precision.promise is not None:
            promised.add_metric([bundle], precision.promise)
    yield from (value, reviewed, below, promised)
