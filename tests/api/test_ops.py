"""GET /healthz reports the active bundle from its verified manifest (no model loaded), a
broken bundle and parts not configured; GET /metrics is Prometheus text; the OpenAPI spec
documents errors; schemathesis finds no 5xx and no answer that breaks the spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from classifiers.bundle import read_info, read_manifest
from tests.api.conftest import ROOT, auth

HEALTH_IN_A_FRESH_PROCESS = """
import json, sys
from fastapi.testclient import TestClient
from api.app import create_app
with TestClient(create_app()) as client:
    response = client.get("/healthz")
print(json.dumps({"http": response.status_code, "report": response.json(),
                  "torch_loaded": "torch" in sys.modules}))
"""


def test_healthz_reports_the_active_bundle_without_loading_a_model(active_bundle) -> None:
    done = subprocess.run([sys.executable, "-c", HEALTH_IN_A_FRESH_PROCESS], cwd=ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["torch_loaded"] is False  # answered from the manifest: no BERT, not even torch
    report = out["report"]
    assert out["http"] == 200 and report["status"] == "ok", report
    manifest, info = read_manifest(active_bundle), read_info(active_bundle)
    classifier = report["components"]["classifier"]
    assert classifier["status"] == "ok"
    detail = classifier["detail"]
    assert detail["bundle_id"] == manifest.bundle_id and detail["verified"] is True
    assert detail["content_hash"] == manifest.content_hash
    assert detail["classes"] == info.labels and detail["model"] == info.primary
    assert detail["certificate"] == json.loads(json.dumps(info.gate.summary()))
    assert detail["certificate"]["certified"] and detail["certificate"]["delta"] == 0.05
    assert detail["thresholds"] == {cell: c.threshold for cell, c in info.gate.cells.items()}
    assert report["components"]["database"]["status"] == "ok"
    assert report["components"]["broker"]["detail"]["queue_depth"] == 0
    assert report["components"]["index"]["status"] == "ok"  # configured, opened on first use


def test_a_broken_bundle_shows_in_healthz(make_client, active_bundle) -> None:
    client = make_client()
    assert client.get("/healthz").json()["components"]["classifier"]["status"] == "ok"
    changed = next(p for p in sorted(active_bundle.rglob("*")) if p.is_file()
                   and p.name != "manifest.json")
    changed.write_bytes(changed.read_bytes() + b"tampered")
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "degraded"
    classifier = response.json()["components"]["classifier"]
    assert classifier["status"] == "error"
    assert "fails verification" in classifier["detail"]["error"]
    assert changed.relative_to(active_bundle).as_posix() in classifier["detail"]["error"]
    # Uploads are still accepted: they wait in the queue for a working worker.
    upload = client.post("/documents", headers=auth("submitter"),
                         files={"file": ("t.txt", b"Invoice number: 1\nTotal 3.00", "text/plain")})
    assert upload.status_code == 202


def test_no_active_bundle_shows_in_healthz_with_what_to_do(client) -> None:
    response = client.get("/healthz")
    classifier = response.json()["components"]["classifier"]
    assert response.status_code == 503 and classifier["status"] == "error"
    assert "papertrail train" in classifier["detail"]["error"]


def test_unreachable_parts_are_errors_not_crashes(make_client) -> None:
    class DownIndex:
        def health(self) -> dict:
            raise ConnectionError("Qdrant at http://127.0.0.1:1 refused the connection")

    client = make_client(retriever=DownIndex(), adjudicator=None)
    report = client.get("/healthz").json()
    assert report["components"]["index"]["status"] == "error"
    assert "refused" in report["components"]["index"]["detail"]["error"]
    assert report["components"]["llm"]["status"] == "not_configured"


def test_llm_endpoint_reachability(make_client) -> None:
    class RemoteLlm:
        base_url = "http://127.0.0.1:9/v1"  # discard port: nothing listens

    client = make_client(adjudicator=RemoteLlm())
    response = client.get("/healthz")
    llm = response.json()["components"]["llm"]
    assert response.status_code == 503 and llm["status"] == "error"
    assert "ConnectError" in llm["detail"]["error"]


def test_metrics_exposition(client) -> None:
    text = client.get("/metrics", headers=auth("admin")).text
    for name in ("papertrail_node_latency_seconds", "papertrail_review_wait_seconds",
                 "papertrail_classifier_fallbacks_total", "papertrail_llm_rejections_total",
                 "papertrail_queue_depth", "papertrail_reviews_pending",
                 "papertrail_review_oldest_age_seconds"):
        assert f"# TYPE {name.removesuffix('_total')}" in text, name


def test_openapi_documents_responses_and_errors(client) -> None:
    spec = client.get("/openapi.json").json()
    upload = spec["paths"]["/documents"]["post"]["responses"]
    assert {"202", "401", "403", "413", "415", "422"} <= set(upload)
    assert upload["413"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorBody")
    decide = spec["paths"]["/reviews/{doc_id}"]["post"]
    assert "reviewer" not in spec["components"]["schemas"]["ReviewDecisionIn"]["properties"]
    assert {"200", "202", "404", "409"} <= set(decide["responses"])
    assert "/slack/events" not in spec["paths"]
    assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])
    assert spec["paths"]["/reviews"]["get"]["security"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


CONFORMANCE = [response_schema_conformance, status_code_conformance, content_type_conformance]


def test_no_server_errors_or_schema_violations_on_any_input(make_client, active_bundle,
                                                             monkeypatch, capsys) -> None:
    """Generated requests for every operation, as admin, as submitter and without a key: no
    5xx, and every answer conforms to the spec (status documented, body valid against its
    schema, content type). Both counts are reported; both must be 0."""
    monkeypatch.setenv("PAPERTRAIL_API_RESUME_WAIT_SECONDS", "0")
    schema = schemathesis.openapi.from_asgi("/openapi.json", make_client().app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    calls: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    violations: list[str] = []

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            original = {k: v for k, v in (case.headers or {}).items()
                        if k.lower() not in ("authorization", "x-api-key")}
            for who, headers in (("admin", auth("admin")), ("submitter", auth("submitter")),
                                 ("anonymous", {})):
                case.headers = {**original, **headers}
                response = case.call()
                calls[who] += 1
                statuses[response.status_code] += 1
                where = f"{who} {case.method} {case.formatted_path} -> {response.status_code}"
                if response.status_code >= 500:
                    server_errors.append(f"{where}: {response.text[:300]}")
                try:
                    case.validate_response(response, checks=CONFORMANCE)
                except (AssertionError, Exception) as exc:  # schemathesis' FailureGroup
                    violations.append(f"{where}: {str(exc)[:300]}")

        fuzz()
    with capsys.disabled():
        print(f"\nschemathesis: {sum(calls.values())} calls ({dict(calls)}), "
              f"{len(server_errors)} server errors, {len(violations)} schema violations; "
              f"statuses {dict(sorted(statuses.items()))}")
    assert calls["admin"] >= 8 and {401, 403} <= set(statuses)
    assert not server_errors, "\n".join(server_errors[:10])
    assert not violations, "\n".join(sorted(set(violations))[:10])


def test_metrics_count_fallbacks_rejections_and_node_latency(client) -> None:
    from agent.ingest import ingest_bytes
    from agent.lineage import LineageLog

    state = client.app.state.papertrail
    doc_id = ingest_bytes(b"Invoice number: 7\nTotal 9.00", "m.txt", state.store,
                          state.settings).document.id
    log = LineageLog.from_settings(state.settings, state.store.db)
    log.append(doc_id, "ingest", {})
    log.append(doc_id, "ocr", {})
    log.append(doc_id, "classify", {"prediction": {"fallback_reason": "bert timed out"}})
    log.append(doc_id, "adjudicate", {"adjudication": {"status": "ungrounded", "trusted": False}})
    state.store.reviews.open(doc_id, {})
    # Policy sent another document to a person without asking an LLM: no call, no rejection.
    other = ingest_bytes(b"Memo to staff", "o.txt", state.store, state.settings).document.id
    log.append(other, "adjudicate", {"adjudication": {"status": "skipped", "trusted": False}})
    text = client.get("/metrics", headers=auth("admin")).text
    assert "papertrail_classifier_fallbacks_total 1.0" in text
    assert "papertrail_llm_rejections_total 1.0" in text
    assert "papertrail_llm_adjudications_total 1.0" in text
    for node in ("ocr", "classify", "adjudicate"):
        assert f'papertrail_node_latency_seconds_count{{node="{node}"}} 1.0' in text
    assert 'papertrail_node_latency_seconds_count{node="ingest"}' not in text  # no predecessor
    assert "papertrail_reviews_pending 1.0" in text
    assert 'papertrail_documents{status="received"} 2.0' in text
    # A second scrape counts nothing twice.
    assert "papertrail_classifier_fallbacks_total 1.0" in client.get(
        "/metrics", headers=auth("admin")).text
