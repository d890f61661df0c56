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

from agent.llm.cpu import (
    PORTABLE_BUILD_HINT,
    cpu_flags,
    installed_build_features,
    missing_features,
)
from agent.llm.errors import ServerStartError
from agent.llm.models import PackagedModel

# A crash on the first real request (not at load time) is how a build for another CPU fails.
CRASH_SIGNALS = {-4: "SIGILL", -11: "SIGSEGV", 132: "SIGILL", 139: "SIGSEGV"}


def llama_cpp_available() -> bool:
    """True when `llama-cpp-python[server]` is installed (`make install` builds it)."""
    return importlib.util.find_spec("llama_cpp") is not None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def server_command(
    model: PackagedModel, gguf: Path, *, host: str, port: int, n_ctx: int, n_threads: int,
    n_batch: int = 512, logits_all: bool = False, flash_attn: bool = False,
) -> list[str]:
    """The server's command line. `logits_all` is off: llama-cpp-python's server defaults it on,
    which computes and copies a full-vocabulary row of logits for every *prompt* token (Gemma's
    262k vocabulary: ~1 MB per token) though adjudication never asks for logprobs."""
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
        "--n_batch", str(n_batch),
        "--logits_all", str(logits_all),
        "--flash_attn", str(flash_attn),
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
        n_batch: int = 512,
        logits_all: bool = False,
        flash_attn: bool = False,
        log_file: Path | None = None,
    ) -> None:
        self.model = model
        self.host = host
        self.port = port or free_port(host)
        self.command = server_command(
            model, gguf, host=host, port=self.port, n_ctx=n_ctx, n_threads=n_threads,
            n_batch=n_batch, logits_all=logits_all, flash_attn=flash_attn,
        )
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, ready_timeout: float = 120.0) -> LocalLlmServer:
        """Start the server; ready means it has answered one real completion."""
        check_build_fits_cpu()
        out = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self._proc = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT)
        self.wait_ready(ready_timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        """Wait for the model list, then run one completion: a build that loads a model but
        crashes on its first request (a llama.cpp tuned to another CPU) fails here, at start-up,
        not in the middle of a review."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._raise_if_exited("before it was ready")
            if is_ready(self.base_url):
                break
            time.sleep(0.5)
        else:
            self.stop()
            raise ServerStartError(
                f"The llama.cpp server on {self.base_url} was not ready after {timeout:.0f} s."
            )
        try:
            first_completion(self.base_url, self.model.name, max(5.0, deadline - time.monotonic()))
        except OSError as exc:
            time.sleep(0.5)  # let a crashed process be reaped, so its exit code is seen
            self._raise_if_exited("on its first completion")
            self.stop()
            raise ServerStartError(
                f"The llama.cpp server on {self.base_url} listed its model but did not answer a "
                f"one-token completion ({exc}); see {self.log_file or 'its output'}."
            ) from None

    def _raise_if_exited(self, when: str) -> None:
        if self._proc is None or self._proc.poll() is None:
            return
        code = self._proc.returncode
        crash = CRASH_SIGNALS.get(code)
        hint = (f" It crashed ({crash}): this llama-cpp-python build probably uses CPU "
                f"instructions this machine handles badly. {PORTABLE_BUILD_HINT}") if crash else ""
        raise ServerStartError(
            f"The llama.cpp server exited with code {code} {when}; see "
            f"{self.log_file or 'its output'}.{hint} Command: {' '.join(self.command)}"
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


def check_build_fits_cpu() -> None:
    """Refuse to start a llama.cpp build that needs instructions this CPU lacks."""
    if not llama_cpp_available():
        raise ServerStartError(
            "llama-cpp-python is not installed in this environment; run `make install` "
            "(or `pip install 'papertrail[local-llm]'`), or point PAPERTRAIL_LLM_BASE_URL / "
            "OPENAI_BASE_URL at another OpenAI-compatible endpoint."
        )
    flags = cpu_flags()
    if flags is None:
        return  # no /proc/cpuinfo flags to compare with; the first completion still checks
    missing = missing_features(installed_build_features(), flags)
    if missing:
        raise ServerStartError(
            f"The installed llama-cpp-python was compiled for CPU features this machine lacks "
            f"({', '.join(missing)}): it would crash on the first request. {PORTABLE_BUILD_HINT}"
        )


def first_completion(base_url: str, model: str, timeout: float) -> str:
    """One real one-token completion; raises OSError when the server cannot answer."""
    body = json.dumps({"model": model, "prompt": "Invoice number:", "max_tokens": 1,
                       "temperature": 0}).encode()
    request = urllib.request.Request(f"{base_url}/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return json.load(resp)["choices"][0]["text"]
    except (KeyError, IndexError, ValueError) as exc:
        raise OSError(f"unexpected completion answer: {exc}") from exc


def is_ready(base_url: str, timeout: float = 2.0) -> bool:
    """True when GET {base_url}/models answers with a model list."""
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=timeout) as resp:
            return bool(json.load(resp).get("data"))
    except (OSError, urllib.error.URLError, ValueError):
        return False
