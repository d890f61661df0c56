"""`papertrail serve | worker | api-key create`: run the API and workers; manage API keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import typer
from rich.markup import escape

from agent.errors import PapertrailError
from agent.ingest import ingest_bytes
from api.auth import KeyRing, Role, add_key_to_file, keys_file_path
from api.cli_support import console, err_console, handles_user_errors, settings

api_key_app = typer.Typer(help="API keys (only their sha256 is stored).", no_args_is_help=True)
STOP_GRACE_SECONDS = 20.0


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.add_typer(api_key_app, name="api-key")


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PAPERTRAIL_DATA_DIR"] = str(settings().resolved_data_dir)
    return env


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "api.cli", *args], env=_child_env(),
                            start_new_session=True)


def _stop(process: subprocess.Popen, name: str) -> None:
    """SIGTERM (Celery: finish the current task), then SIGKILL after a grace period."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        err_console.print(f"[yellow]{name} did not stop in {STOP_GRACE_SECONDS:.0f}s; killing")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@handles_user_errors
def serve(
    host: str | None = typer.Option(None, help="Bind address (default PAPERTRAIL_API_HOST)."),
    port: int | None = typer.Option(None, help="Port (default PAPERTRAIL_API_PORT)."),
    workers: int | None = typer.Option(
        None, min=0, help="Documents the worker run alongside processes at once (default "
        "PAPERTRAIL_WORKER_CONCURRENCY: the cores available); 0: no worker, use workers "
        "started elsewhere."),
    llm: bool = typer.Option(False, "--llm", help="Also run `papertrail llm serve` (the local "
                             "LLM server; needs the local-llm extra)."),
    samples: int = typer.Option(0, min=0, help="Upload this many generated sample documents "
                                "once the API is up."),
) -> None:
    """Run the HTTP API and Celery worker(s) on this machine (embedded defaults: SQLite store,
    SQLite broker). Ctrl-C stops everything cleanly."""
    import uvicorn

    from api.app import create_app

    cfg = settings()
    host, port = host or cfg.api.host, port or cfg.api.port
    cfg = cfg.model_copy(update={"api": cfg.api.model_copy(update={"host": host, "port": port})})
    _first_admin_key(cfg)
    _ensure_classifier(cfg)
    children: list[tuple[str, subprocess.Popen]] = []
    if llm:
        children.append(("llm server", _spawn(["llm", "serve"])))
    if workers != 0:
        concurrency = ["--concurrency", str(workers)] if workers else []
        children.append(("worker", _spawn(["worker", *concurrency,
                                           "--parent-pid", str(os.getpid())])))
    # Slow bodies get 408 from the app (PAPERTRAIL_API_BODY_TIMEOUT_SECONDS); idle keep-alive
    # connections are closed by uvicorn.
    server = uvicorn.Server(uvicorn.Config(create_app(cfg), host=host, port=port,
                                           log_level="info",
                                           timeout_keep_alive=cfg.api.keep_alive_seconds))
    base = cfg.api.resolved_public_url
    if samples:
        threading.Thread(target=_upload_samples, args=(server, samples), daemon=True).start()
    console.print(f"API docs: {base}/docs · pending reviews: {base}/reviews · health: "
                  f"{base}/healthz · metrics: {base}/metrics")
    console.print(f"Review in the browser: {base}/ui (accounts: `papertrail user create NAME "
                  "--role reviewer`)")
    # uvicorn re-raises the signal that stopped it: make SIGTERM, like Ctrl-C, end up here.
    # SIGHUP (the terminal went away) stops the server the same orderly way. Killed outright,
    # serve cannot stop its children: the worker watches for that itself (--parent-pid).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, lambda *_: setattr(server, "should_exit", True))
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # a requested stop
    finally:
        for name, process in reversed(children):
            _stop(process, name)
        console.print("stopped")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _first_admin_key(cfg) -> None:  # noqa: ANN001
    if len(KeyRing.from_settings(cfg)):
        return
    path = keys_file_path(cfg)
    key = add_key_to_file(path, "admin", Role.admin)
    console.print(f"No API keys were configured: created an admin key (shown once, stored "
                  f"hashed in {path}):\n  {key}")


def _ensure_classifier(cfg) -> None:  # noqa: ANN001
    """A fresh machine has no bundle: train the small demo bundle on generated documents."""
    from classifiers.bundle import Registry
    from evals.demo_bundle import ensure_active_bundle

    if Registry(cfg.bundle_dir).active_id() is None:
        console.print("No active classifier bundle: training the demo bundle on generated "
                      "documents (about a minute; `papertrail train` makes a real one).")
    bundle_id = ensure_active_bundle(cfg)
    console.print(f"Active classifier bundle: {bundle_id}")


def _upload_samples(server, count: int) -> None:  # noqa: ANN001
    """Store generated documents of varied types and queue them (as POST /documents does)."""
    import tempfile

    from evals.samples import generate, generate_mixed

    while not server.started:
        time.sleep(0.2)
    state = server.config.app.state.papertrail
    with tempfile.TemporaryDirectory(prefix="papertrail-samples-") as tmp:
        seed = int(time.time()) % 10_000
        generate(Path(tmp), n_per_class=1, seed=seed, formats=("png",))
        # The first three show every route: doubt (a memo that turns into an invoice), an
        # auto-approved bank statement, a contract that policy sends to a person.
        mixed = generate_mixed(Path(tmp) / "mixed", "memo", "invoice", seed=seed)
        files = [mixed, *sorted(p for p in Path(tmp).rglob("*.png") if p != mixed)][:count]
        for path in files:
            result = ingest_bytes(path.read_bytes(), path.name, state.store, state.settings)
            state.submissions.record(result.document.id, "admin")
            state.enqueue_process(result.document.id)
    console.print(f"Queued {len(files)} sample document(s); watch GET /reviews "
                  "(or `papertrail review list`).")


@handles_user_errors
def worker(
    concurrency: int | None = typer.Option(None, help="Processes (default "
                                           "PAPERTRAIL_WORKER_CONCURRENCY)."),
    pool: str | None = typer.Option(None, help="threads, prefork or solo (default "
                                    "PAPERTRAIL_WORKER_POOL)."),
    hostname: str | None = typer.Option(None, help="Worker name (default celery@HOST)."),
    loglevel: str = typer.Option("INFO"),
    parent_pid: int | None = typer.Option(None, help="Stop (warm shutdown) when this process, "
                                          "the worker's parent, ends; `serve` passes its own."),
) -> None:
    """Run a Celery worker for this data folder / broker (PAPERTRAIL_WORKER_BROKER_URL)."""
    from api.parent_watch import stop_with_parent
    from api.worker import run_worker

    if parent_pid is not None:
        stop_with_parent(parent_pid)
    run_worker(settings(), concurrency=concurrency, pool=pool, loglevel=loglevel,
               hostname=hostname)


@api_key_app.command("create")
@handles_user_errors
def create_key(owner: str, role: str = typer.Argument(..., help="submitter, reviewer, admin"),
               keys_file: Path | None = typer.Option(None, help="Default: DATA_DIR/"
                                                     "api-keys.yaml.")) -> None:
    """Create an API key for OWNER with ROLE; print it once; store only its sha256."""
    if role not in Role.__members__:
        raise PapertrailError(f"Unknown role {role!r}; use submitter, reviewer or admin.")
    path = keys_file or keys_file_path(settings())
    key = add_key_to_file(path, owner, Role[role])
    console.print(f"API key for {escape(owner)} ({role}), stored hashed in {path}:")
    print(key)
