"""The drift verdict as the API reports it: the active bundle's reference profile read from
its bundle.json (no model is loaded in the API process), the window from the database."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily

from agent.drift import DriftReport
from api.app_resources import AppResources
from api.schemas import ComponentHealth
from classifiers.bundle import Registry, read_info
from classifiers.drift import ReferenceProfile
from papertrail.errors import PapertrailError


def active_reference(state: AppResources) -> tuple[str | None, ReferenceProfile | None]:
    registry = Registry(state.settings.bundle_dir)
    active = registry.active_id()
    if active is None:
        return None, None
    try:
        return active, read_info(registry.path(active)).profile
    except (OSError, PapertrailError):  # a broken bundle: /healthz reports it
        return active, None


def report(state: AppResources, fresh: bool = False) -> DriftReport:
    bundle_id, profile = active_reference(state)
    return state.drift.report(bundle_id, profile, fresh=fresh)


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
