"""The local server refuses a llama.cpp build that does not fit the CPU, and a build that loads
its model but crashes on the first request fails at start-up with what to do."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from agent.llm import server as server_module
from agent.llm.cpu import build_features, cpu_flags, missing_features
from agent.llm.errors import ServerStartError
from agent.llm.models import packaged_model
from agent.llm.server import LocalLlmServer

SYSTEM_INFO = ("CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | "
               "AVX512 = 1 | AVX512_VNNI = 0 | AMX_INT8 = 1 | LLAMAFILE = 1 | OPENMP = 1 |")


def test_build_features_are_those_reported_on():
    features = build_features(SYSTEM_INFO)
    assert {"AVX2", "AVX512", "AMX_INT8", "FMA"} <= features
    assert "AVX512_VNNI" not in features


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu pni ssse3 avx avx2 fma f16c\n")
    assert {"avx2", "fma", "pni"} <= cpu_flags(info)
    assert cpu_flags(tmp_path / "absent") is None


def test_a_native_build_from_a_newer_cpu_is_named():
    zen2 = {"pni", "ssse3", "avx", "avx2", "f16c", "fma", "bmi2"}
    assert missing_features(build_features(SYSTEM_INFO), zen2) == ["AMX_INT8", "AVX512"]
    portable = build_features(SYSTEM_INFO.replace("AVX512 = 1", "AVX512 = 0")
                              .replace("AMX_INT8 = 1", "AMX_INT8 = 0"))
    assert missing_features(portable, zen2) == []


def test_the_build_check_refuses_to_start(monkeypatch):
    monkeypatch.setattr(server_module, "llama_cpp_available", lambda: True)
    monkeypatch.setattr(server_module, "installed_build_features",
                        lambda: build_features(SYSTEM_INFO))
    monkeypatch.setattr(server_module, "cpu_flags", lambda: {"avx", "avx2", "fma", "f16c"})
    with pytest.raises(ServerStartError, match="AMX_INT8, AVX512.*make install"):
        server_module.check_build_fits_cpu()


CRASHING_SERVER = textwrap.dedent("""
    import json, os, signal, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"data": [{"id": "m"}]}).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(body)))
            self.end_headers(); self.wfile.write(body)

        def do_POST(self):
            os.kill(os.getpid(), signal.SIGSEGV)  # what a build for another CPU does

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
""")


def test_a_crash_on_the_first_completion_fails_start_up(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(server_module, "check_build_fits_cpu", lambda: None)
    script = tmp_path / "fake_server.py"
    script.write_text(CRASHING_SERVER)
    server = LocalLlmServer(packaged_model("smollm2-135m"), tmp_path / "unused.gguf")
    server.command = [sys.executable, str(script), str(server.port)]
    with pytest.raises(ServerStartError, match=r"SIGSEGV.*make install"):
        server.start(ready_timeout=30)
    assert server._proc is None or server._proc.poll() is not None
