"""The parts around the graph going away: the Qdrant folder held by another process, the LLM
endpoint down (nothing listening) or hanging (accepts, never answers). Documents that needed
the part go to a person, saying why; nothing is auto-approved while it is down, even with the
ambiguous band allowed to auto-finalize."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.faults.conftest import free_port

TRUST_ADJUDICATION = {"PAPERTRAIL_AUTO_FINALIZE_BANDS": '["confident", "ambiguous"]'}


def lineage_of(ledger, doc_id: str, node: str) -> list[dict]:
    records = ledger.get(f"/documents/{doc_id}/lineage").json()["records"]
    return [r["payload"] for r in records if r["node"] == node]


def test_qdrant_folder_held_by_another_process(processes, ledger_for, fault_env,
                                               monkeypatch) -> None:
    from qdrant_client import QdrantClient

    from agent.settings import Settings

    folder = Settings().index_dir / "qdrant"  # retrieval/index.py: the local-mode folder
    folder.mkdir(parents=True, exist_ok=True)
    holder = QdrantClient(path=str(folder))  # holds the folder's lock, as a 2nd process would
    try:
        api = processes.api()
        ledger = ledger_for(api)
        processes.worker("noindex", "--real-retriever", "--real-adjudicator",
                         PAPERTRAIL_LLM_POLICY="majority",
                         PAPERTRAIL_RETRIEVAL_REOPEN_AFTER_SECONDS="1", **TRUST_ADJUDICATION)
        ambiguous = [ledger.upload(f"q{i}", "Confidence 60").json()["id"] for i in range(2)]
        ledger.upload("q9", safe=True)
        views = ledger.check()
    finally:
        holder.close()
    time.sleep(1.5)  # the holder let go: the same worker opens the index on its next try
    later = ledger.upload("q8", "Confidence 60").json()["id"]
    ledger.check()
    assert lineage_of(ledger, later, "retrieve")[-1]["retriever"]["backend"] != "unavailable"
    for doc_id in ambiguous:
        assert views[doc_id]["status"] == "needs_review", views[doc_id]
        assert views[doc_id]["band"] == "escalated", views[doc_id]
        retrieved = lineage_of(ledger, doc_id, "retrieve")[-1]
        assert retrieved["hits"] == [] and retrieved["retriever"]["backend"] == "unavailable"
        assert "already accessed" in retrieved["retriever"]["error"], retrieved


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.parametrize("fault", ["down", "hanging"])
def test_llm_endpoint_down_or_hanging(processes, ledger_for, request, fault) -> None:
    port = free_port() if fault == "down" else request.getfixturevalue("silent_server")
    api = processes.api()
    ledger = ledger_for(api)
    processes.worker(f"llm-{fault}", "--real-adjudicator", PAPERTRAIL_LLM_POLICY="llm",
                     PAPERTRAIL_LLM_BACKEND="openai", PAPERTRAIL_LLM_MODEL="any",
                     PAPERTRAIL_LLM_MODE="chat",
                     PAPERTRAIL_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1",
                     **TRUST_ADJUDICATION)
    ambiguous = [ledger.upload(f"l{fault}{i}", "Confidence 60").json()["id"] for i in range(2)]
    views = ledger.check()
    for doc_id in ambiguous:
        view = views[doc_id]
        assert view["status"] == "needs_review" and view["band"] == "ungrounded", view
        assert ("timed out" if fault == "hanging" else "unreachable") in view["band_reason"], view
        call = lineage_of(ledger, doc_id, "adjudicate")[-1]["adjudication"]
        assert call["status"] != "grounded", call
