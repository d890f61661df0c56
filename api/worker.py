"""Celery: processing runs as tasks, on this machine (SQLite broker) or many (Redis), same code.

Tasks (by name, so the API can enqueue without importing model code):
- `papertrail.process(doc_id)`: run the graph until finalized or waiting for a person; then
  post the Slack review message when one is needed.
- `papertrail.resume(doc_id, decision)`: apply a person's decision (acts once), then update
  the Slack message with the outcome; a decision the graph refuses fails the task and is
  answered in the message's thread.
- `papertrail.notify(doc_id)`: bring the Slack message in line with the review (idempotent).

All tasks are idempotent (Pipeline.process/resume are), acknowledged late and rejected when
the worker dies, so a crashed worker's message is delivered again. The SQLite transport
cannot see a SIGKILLed worker's unacknowledged message, so each worker also re-queues
documents that stalled mid-run, when it starts and periodically (api/recovery.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from typing import Any

from celery import Celery, Task, signals
from celery.exceptions import Ignore, Reject, Retry
from celery.utils.time import get_exponential_backoff_interval
from kombu.exceptions import ChannelError
from sqlalchemy import create_engine, inspect, text

from agent.errors import PapertrailError
from agent.failures import record_exception
from agent.lineage import LineageLog
from agent.pipeline import InvalidReviewDecisionError, Pipeline
from agent.review import ReviewDecision
from agent.settings import Settings
from agent.store import Store
from api import qa
from api.broker import celery_broker
from api.recovery import recover_stalled
from api.tables import create_tables
from papertrail.cpus import available_cpus

log = logging.getLogger(__name__)

PROCESS, RESUME, NOTIFY = "papertrail.process", "papertrail.resume", "papertrail.notify"



class RetryWhatCanHeal(Task):
    """Retries (with exponential backoff and jitter) an unexpected error, or a PapertrailError
    marked `retryable` (a server not reachable yet); never one a person must act on (unknown
    document, review not pending, a broken bundle or setting): no retry can fix those."""

    backoff_max = 120

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except (Retry, Ignore, Reject):
            raise
        except PapertrailError as exc:
            if not exc.retryable:
                raise
            raise self._retry_after(exc) from exc
        except Exception as exc:
            raise self._retry_after(exc) from exc

    def _retry_after(self, exc: Exception) -> Exception:
        countdown = get_exponential_backoff_interval(
            factor=2, retries=self.request.retries, maximum=self.backoff_max, full_jitter=True)
        return self.retry(exc=exc, countdown=countdown)


def broker_url(settings: Settings) -> str:
    return settings.worker.broker_url or (
        f"sqla+sqlite:///{settings.resolved_data_dir / 'broker.sqlite'}")


def result_backend(settings: Settings) -> str:
    if settings.worker.result_backend:
        return settings.worker.result_backend
    broker = broker_url(settings)
    if broker.startswith(("redis://", "rediss://")):
        return broker
    return f"db+sqlite:///{settings.resolved_data_dir / 'results.sqlite'}"


def make_celery(settings: Settings, **overrides: Any) -> Celery:
    """A Celery app for these settings, with the tasks registered. `overrides` replace parts of
    the pipeline its tasks run, as for `Services.from_settings` (tests run workers on stand-ins
    this way)."""
    broker = celery_broker(broker_url(settings), settings.worker.poll_seconds)
    app = Celery("papertrail", broker=broker.pop("broker_url"), backend=result_backend(settings))
    app.conf.update(
        task_default_queue=settings.worker.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        result_expires=timedelta(days=1),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        **broker,
    )
    app.papertrail_settings = settings  # type: ignore[attr-defined]
    _register_tasks(app, settings, overrides)
    return app


class WorkerRuntime:
    """One store and one pipeline per worker process, opened on first use (after the fork)
    and closed at shutdown."""

    def __init__(self, settings: Settings, overrides: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.overrides = dict(overrides or {})
        self._stack = ExitStack()
        self._store: Store | None = None
        self._pipeline: Pipeline | None = None
        self._lock = threading.RLock()
        self.on_pipeline: Any = None  # called with each pipeline built (drift alerts)

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store.from_settings(self.settings)
                create_tables(self._store.db)
                self._stack.callback(self._store.db.dispose)
            return self._store

    @property
    def pipeline(self) -> Pipeline:
        with self._lock:
            if self._pipeline is None:
                self._pipeline = self._stack.enter_context(
                    Pipeline.open(self.settings, **{"store": self.store, **self.overrides}))
                if self.on_pipeline is not None:
                    self.on_pipeline(self._pipeline)
            return self._pipeline

    def pipeline_for(self, doc_id: str) -> Pipeline:
        """The pipeline. When it cannot be built for a reason no retry fixes (a broken bundle,
        a bad setting), the document is first marked `failed` with that reason: it must not
        wait in silence for a pipeline that will never come."""
        try:
            return self.pipeline
        except PapertrailError as exc:
            if not exc.retryable:
                record_exception(self.store, LineageLog.from_settings(self.settings,
                                                                      self.store.db),
                                 doc_id, exc)
            raise

    def warm_up(self) -> None:
        """Build the pipeline and load what its first document would (the bundle, the exemplar
        index and its embedding model) before taking tasks: otherwise the first documents after
        a start each wait ~10 s for it. A failure here is logged; the first task meets it again
        and records it on its document."""
        started = time.monotonic()
        try:
            warmed = self.pipeline.services.warm_up()
        except PapertrailError as exc:  # e.g. no active bundle yet
            log.warning("pipeline not warmed (%s); the first document will try again", exc)
            return
        except Exception:
            log.exception("warming up the pipeline failed; the first document will try again")
            return
        log.info("pipeline warm in %.1f s (%s)", time.monotonic() - started,
                 ", ".join(["bundle", *warmed]))

    def close(self) -> None:
        with self._lock:
            self._stack.close()
            self._store, self._pipeline = None, None


def _register_tasks(app: Celery, settings: Settings, overrides: dict[str, Any]) -> None:
    from api import drift_alerts, webhooks  # their tasks and tables, with the others

    runtime = WorkerRuntime(settings, overrides)
    runtime.on_pipeline = lambda pipeline: drift_alerts.attach(
        pipeline.services.drift, app, runtime.store, settings)
    app.papertrail_runtime = runtime  # type: ignore[attr-defined]
    opts: dict[str, Any] = dict(
        bind=True, acks_late=True, reject_on_worker_lost=True, base=RetryWhatCanHeal,
        backoff_max=settings.worker.retry_backoff_max, max_retries=settings.worker.max_retries,
    )

    @app.task(name=PROCESS, **opts)
    def process(self: Any, doc_id: str) -> dict[str, Any]:
        with heartbeat(runtime.store, doc_id, settings.worker.stalled_after_seconds / 3):
            state = runtime.pipeline_for(doc_id).process(doc_id)
        qa.maybe_sample(runtime.store, settings, state, runtime.pipeline.services.classifier.labels)
        if state.status == "needs_review" and settings.slack.enabled:
            app.send_task(NOTIFY, args=[doc_id])
        webhooks.emit(app, runtime.store, settings, doc_id, state.status)
        return {"doc_id": doc_id, "status": state.status, "band": state.band,
                "label": state.label}

    @app.task(name=RESUME, **opts)
    def resume(self: Any, doc_id: str, decision: dict[str, Any]) -> dict[str, Any]:
        try:
            outcome = runtime.pipeline.resume(doc_id, ReviewDecision.model_validate(decision))
        except InvalidReviewDecisionError as exc:
            tell_refused(doc_id, decision, exc)
            raise
        if outcome.acted and settings.slack.enabled:
            app.send_task(NOTIFY, args=[doc_id])
        status = outcome.state.status if outcome.state else None
        if outcome.acted:
            webhooks.emit(app, runtime.store, settings, doc_id, status)
        return {"doc_id": doc_id, "acted": outcome.acted, "message": outcome.message,
                "status": status}

    def tell_refused(doc_id: str, decision: dict[str, Any], exc: Exception) -> None:
        """A refused decision fails its task for good (no retry fixes it); say so where the
        person who sent it looks, so it is not lost silently. The review keeps waiting."""
        log.warning("decision %s on %s refused: %s", decision, doc_id, exc)
        from api.slack.notifier import SlackNotifier

        try:
            notifier = SlackNotifier.from_settings(settings, runtime.store)
            if notifier is not None:
                notifier.refused(doc_id, str(exc))
        except Exception:  # the refusal itself is what the task reports
            log.exception("could not tell Slack that the decision on %s was refused", doc_id)

    @app.task(name=NOTIFY, **opts)
    def notify(self: Any, doc_id: str) -> str:
        from api.slack.notifier import SlackNotifier

        notifier = SlackNotifier.from_settings(settings, runtime.store)
        return notifier.sync(doc_id) if notifier else "slack not configured"

    webhooks.register_task(app, lambda: runtime.store, settings)
    drift_alerts.register_task(app, lambda: runtime.store, settings)
    timer = RecoveryTimer(app, settings)

    @signals.worker_ready.connect(weak=False)
    def _recover(sender: Any = None, **_: Any) -> None:
        if sender is not None and getattr(sender, "app", app) is not app:
            return
        try:
            purged = purge_delivered(settings)
        except Exception:  # housekeeping must never keep a worker from starting
            log.exception("purging delivered messages failed")
            purged = 0
        if purged:
            log.info("purged %d delivered message(s) from the SQLite broker", purged)
        timer.start()

    @signals.worker_shutdown.connect(weak=False)
    def _stop_recovery(sender: Any = None, **_: Any) -> None:
        timer.stop()

    @signals.worker_process_init.connect(weak=False)
    def _warm_child(**_: Any) -> None:
        """Prefork: each child its own pipeline, after the fork, in a thread: Celery kills a
        child whose init takes over `worker_proc_alive_timeout` (4 s); a task that comes
        meanwhile waits for the pipeline's lock."""
        threading.Thread(target=runtime.warm_up, name="papertrail-warm-up", daemon=True).start()

    @signals.worker_process_shutdown.connect(weak=False)
    def _close(**_: Any) -> None:
        runtime.close()


@contextmanager
def heartbeat(store: Store, doc_id: str, every: float) -> Iterator[None]:
    """While this process works on the document, touch its row every `every` seconds: one
    long step (a model loading, a 200-page OCR) must not look like a stall to crash recovery,
    which would queue the document again and, past its bound, fail it while it runs. A killed
    worker's heartbeat dies with it, so its document still stalls and is recovered."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                store.documents.touch(doc_id)
            except Exception:  # a missed beat is retried; it must never fail the task
                log.warning("heartbeat of %s failed", doc_id[:12], exc_info=True)

    thread = threading.Thread(target=beat, name=f"heartbeat-{doc_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


class RecoveryTimer:
    """Runs `recover_stalled` when the worker is ready and then every `recover_every_seconds`,
    in a daemon thread of the worker's main process (api/recovery.py says how)."""

    def __init__(self, app: Celery, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        try:
            report = recover_stalled(
                self.settings, lambda doc_id: self.app.send_task(PROCESS, args=[doc_id],
                                                             ignore_result=True),
                queue_empty=queue_depth(self.app) == 0)
        except Exception:  # recovery must never take a worker down; next round tries again
            log.exception("recovering stalled documents failed")
            return
        if report.requeued:
            log.warning("re-queued %d stalled document(s): %s", len(report.requeued),
                        ", ".join(d[:12] for d in report.requeued))
        if report.failed:
            log.error("failed %d document(s) that stalled too often: %s", len(report.failed),
                      ", ".join(d[:12] for d in report.failed))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="papertrail-recovery",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def _loop(self) -> None:
        self.run_once()
        while not self._stopped.wait(self.settings.worker.recover_every_seconds):
            self.run_once()


def purge_delivered(settings: Settings, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete messages the SQLAlchemy transport delivered long ago (it keeps them forever,
    hidden). Safe while workers run: a live worker's unacknowledged message lives in its
    memory and is re-published, not un-hidden, when it shuts down."""
    url = broker_url(settings)
    if not url.startswith("sqla+"):
        return 0
    engine = create_engine(url.removeprefix("sqla+"))
    try:
        if "kombu_message" not in inspect(engine).get_table_names():
            return 0
        cutoff = datetime.now() - older_than  # kombu stores naive local timestamps
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM kombu_message WHERE visible = :hidden AND "
                                     "timestamp < :cutoff"),
                                {"hidden": False, "cutoff": cutoff}).rowcount
    finally:
        engine.dispose()


def queue_depth(app: Celery) -> int | None:
    """Messages waiting in the task queue (0 when it was never used), or None when the broker
    is unreachable."""
    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
            try:
                ok = conn.default_channel.queue_declare(queue=app.conf.task_default_queue,
                                                        passive=True)
            except ChannelError:  # no such queue yet: nothing was ever sent to it
                return 0
            return int(ok.message_count)
    except Exception:  # the broker is down or refuses us
        return None


def split_cores(settings: Settings, tasks: int, pool: str) -> Settings:
    """Share the cores between the tasks a worker runs at once: torch's threads (the classifier,
    the embedder) and, with prefork, each process's OCR slots. Many small inferences side by
    side beat each one spread over every core; values set explicitly are kept."""
    share = max(1, available_cpus() // max(1, tasks))
    update: dict[str, Any] = {}
    if "torch_threads" not in settings.classifier.model_fields_set:
        update["classifier"] = settings.classifier.model_copy(update={"torch_threads": share})
    if pool == "prefork" and "ocr_workers" not in settings.model_fields_set:
        update["ocr_workers"] = share
    return settings.model_copy(update=update)


def run_worker(settings: Settings, concurrency: int | None = None, pool: str | None = None,
               loglevel: str = "INFO", hostname: str | None = None, **overrides: Any) -> None:
    """Run a worker in this process until it is stopped (SIGTERM/SIGINT: warm shutdown).
    `overrides` replace parts of its pipeline, as for `Services.from_settings`. Pool and
    concurrency default to PAPERTRAIL_WORKER_POOL / _CONCURRENCY."""
    pool = pool or settings.worker.pool
    concurrency = concurrency or settings.worker.concurrency
    app = make_celery(split_cores(settings, 1 if pool == "solo" else concurrency, pool),
                      **overrides)
    argv = ["worker", f"--loglevel={loglevel}", f"--pool={pool}", "-Q", settings.worker.queue,
            f"--concurrency={concurrency}", "--without-gossip",
            "--without-mingle", "--without-heartbeat"]
    if hostname:
        argv.append(f"--hostname={hostname}")
    if pool != "prefork":  # the tasks run in this process: warm it before they come
        app.papertrail_runtime.warm_up()  # type: ignore[attr-defined]
    app.worker_main(argv)
