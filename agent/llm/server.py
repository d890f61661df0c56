"""Start and stop the local OpenAI-compatible llama.cpp server (`python -m llama_cpp.server`)."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from agent.llm.errors import ServerStartError
from agent.llm.models import PackagedModel


def llama_cpp_available() -> bool:
    """True when `llama-cpp-python[server]` is installed (`make install` builds it)."""
    return importlib.util.find_spec("llama_cpp") is not None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_command(
    model: PackagedModel, gguf: Path, *, host: str, port: int, n_ctx: int, n_threads: int
) -> list[str]:
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf),
        "--model_alias", model.name,
        "--chat_format", model.chat_format,
        "--host", host,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(n_threads),
        "--n_threads_batch", str(n_threads),
    ]  # fmt: skip


class LocalLlmServer:
    """A llama.cpp server subprocess on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(
        self,
        model: PackagedModel,
        gguf: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        n_ctx: int = 4096,
        n_threads: int = 2,
        log_file: Path | None = None,
    ) -> None:
        self.model = model
        self.host = host
        self.port = port or free_port(host)
        self.command = server_command(
            model, gguf, host=host, port=self.port, n_ctx=n_ctx, n_threads=n_threads
        )
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, ready_timeout: float = 120.0) -> LocalLlmServer:
        if not llama_cpp_available():
            raise ServerStartError(
                "llama-cpp-python is not installed in this environment; run `make install` "
                "(or `pip install 'papertrail[local-llm]'`), or point PAPERTRAIL_LLM_BASE_URL / "
                "OPENAI_BASE_URL at another OpenAI-compatible endpoint."
            )
        out = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self._proc = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise ServerStartError(
                    f"The llama.cpp server exited with code {self._proc.returncode} before it was "
                    f"ready; see {self.log_file or 'its output'}. Command: {' '.join(self.command)}"
                )
            if is_ready(self.base_url):
                return
            time.sleep(0.5)
        self.stop()
        raise ServerStartError(
            f"The llama.cpp server on {self.base_url} was not ready after {timeout:.0f} s."
        )

    def stop(self, grace: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def wait(self) -> int:
        """Block until the server exits (for `papertrail llm serve`)."""
        assert self._proc is not None, "start() first"
        try:
            return self._proc.wait()
        finally:
            self.stop()

    def __enter__(self) -> LocalLlmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def is_ready(base_url: str, timeout: float = 2.0) -> bool:
    """True when GET {base_url}/models answers with a model list."""
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as resp:
            return bool(json.load(resp).get("data"))
    except (OSError, urllib.error.URLError, ValueError):
        return False
