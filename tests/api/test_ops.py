"""GET /healthz shows a broken classifier (and parts not configured); GET /metrics is
Prometheus text; the OpenAPI spec documents errors; schemathesis finds no 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import auth


def test_healthz_reports_the_bundle_and_unconfigured_parts(client) -> None:
    report = client.get("/healthz").json()
    assert report["status"] == "ok"
    classifier = report["components"]["classifier"]
    assert classifier["status"] == "ok" and classifier["detail"]["bundle_id"] == "marker-test"
    assert classifier["detail"]["classes"] == ["invoice", "receipt", "letter", "contract"]
    assert report["components"]["database"]["status"] == "ok"
    assert report["components"]["broker"]["detail"]["queue_depth"] == 0


def test_a_broken_classifier_shows_in_healthz(make_client, monkeypatch) -> None:
    monkeypatch.setenv("PAPERTRAIL_WORKER_PARTS_FACTORY", "tests.api.parts:broken_parts")
    client = make_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    classifier = response.json()["components"]["classifier"]
    assert classifier["status"] == "error" and "hash mismatch" in classifier["detail"]["error"]
    assert response.json()["status"] == "degraded"
    # Uploads are still accepted: they wait in the queue for a working worker.
    upload = client.post("/documents", headers=auth("submitter"),
                         files={"file": ("t.txt", b"Invoice number: 1\nTotal 3.00", "text/plain")})
    assert upload.status_code == 202


def test_unreachable_parts_are_errors_not_crashes(make_client) -> None:
    class DownIndex:
        def health(self) -> dict:
            raise ConnectionError("Qdrant at http://127.0.0.1:1 refused the connection")

    from tests.graph.fakes import MarkerClassifier

    client = make_client(classifier=MarkerClassifier(), retriever=DownIndex())
    report = client.get("/healthz").json()
    assert report["components"]["index"]["status"] == "error"
    assert "refused" in report["components"]["index"]["detail"]["error"]
    assert report["components"]["llm"]["status"] == "not_configured"


def test_llm_endpoint_reachability(make_client) -> None:
    from tests.graph.fakes import MarkerClassifier

    class RemoteLlm:
        base_url = "http://127.0.0.1:9/v1"  # discard port: nothing listens

    client = make_client(classifier=MarkerClassifier(), adjudicator=RemoteLlm())
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


def test_no_server_errors_on_any_input(make_client, monkeypatch) -> None:
    """Generated requests for every operation, as admin, as submitter and without a key."""
    monkeypatch.setenv("PAPERTRAIL_API_RESUME_WAIT_SECONDS", "0")
    schema = schemathesis.openapi.from_asgi("/openapi.json", make_client().app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    calls = []

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_5xx(case) -> None:
            original = {k: v for k, v in (case.headers or {}).items()
                        if k.lower() not in ("authorization", "x-api-key")}
            for headers in (auth("admin"), auth("submitter"), {}):
                case.headers = {**original, **headers}
                response = case.call()
                calls.append(response.status_code)
                assert response.status_code < 500, (case.method, case.path,
                                                    response.text[:500])

        no_5xx()
    assert len(calls) >= 7 * 3 and {401, 403} <= set(calls)


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
    log.append(doc_id, "adjudicate", {"adjudicator": "llm", "adjudication": {"grounded": False}})
    state.store.reviews.open(doc_id, {})
    text = client.get("/metrics", headers=auth("admin")).text
    assert "papertrail_classifier_fallbacks_total 1.0" in text
    assert "papertrail_llm_rejections_total 1.0" in text
    assert "papertrail_llm_adjudications_total 1.0" in text
    for node in ("ocr", "classify", "adjudicate"):
        assert f'papertrail_node_latency_seconds_count{{node="{node}"}} 1.0' in text
    assert 'papertrail_node_latency_seconds_count{node="ingest"}' not in text  # no predecessor
    assert "papertrail_reviews_pending 1.0" in text
    assert 'papertrail_documents{status="received"} 1.0' in text
    # A second scrape counts nothing twice.
    assert "papertrail_classifier_fallbacks_total 1.0" in client.get(
        "/metrics", headers=auth("admin")).text
