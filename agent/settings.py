"""The one settings object. Every value comes from an env var `PAPERTRAIL_<NAME>` (or a `.env`)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.drift_settings import DriftSettings
from agent.ocr.options import OcrEngineOptions, RapidOcrOptions, TesseractOptions
from classifiers.options import ClassifierSettings
from papertrail.cpus import available_cpus
from retrieval.options import RetrievalSettings


class LlmSettings(BaseSettings):
    """The adjudication LLM: any OpenAI-compatible endpoint; by default a local llama.cpp server.

    `OPENAI_BASE_URL` / `OPENAI_API_KEY` are honoured as aliases of the prefixed names.
    """

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_LLM_", extra="ignore")

    backend: str = Field(
        "llama_cpp",
        description="How the endpoint is spoken to: 'llama_cpp' (llama.cpp's server: label "
        "grammar, json_object schema) or 'openai' (any OpenAI-compatible endpoint: json_schema).",
    )
    base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("PAPERTRAIL_LLM_BASE_URL", "OPENAI_BASE_URL", "base_url"),
        description="OpenAI-compatible base URL (ending in /v1). Default: the local server "
        "`papertrail llm serve` starts on 127.0.0.1:<port>.",
    )
    api_key: str = Field(
        "local",
        validation_alias=AliasChoices("PAPERTRAIL_LLM_API_KEY", "OPENAI_API_KEY", "api_key"),
        description="API key; the local server ignores it.",
    )
    model: str | None = Field(
        None, description="Model name sent to the endpoint. Default: the served packaged model."
    )
    mode: str = Field(
        "completion",
        description="'completion' (few-shot /v1/completions, for base or tiny models) or "
        "'chat' (JSON answer via /v1/chat/completions).",
    )
    timeout: float = Field(30.0, gt=0, description="Seconds before one LLM call is abandoned.")
    max_tokens: int = Field(48, ge=1, description="Most tokens the LLM may generate per answer.")
    temperature: float = Field(0.0, ge=0, le=2)
    max_retries: int = Field(0, ge=0, description="Client retries; 0 so a timeout fails fast.")
    serve_model: str = Field(
        "gemma3-270m",
        description="Packaged GGUF `papertrail llm serve` starts: 'gemma3-270m' or 'smollm2-135m'.",
    )
    host: str = Field("127.0.0.1", description="Interface the local server binds to.")
    port: int = Field(8765, ge=1, le=65535, description="Port of the local server.")
    n_ctx: int = Field(4096, ge=512, description="Context window of the local server.")
    n_threads: int = Field(2, ge=1, description="CPU threads of the local server.")
    max_doc_chars: int = Field(
        600, ge=100, description="Document text beyond this many characters is cut from prompts "
        "(prompt tokens are most of an adjudication's time on a CPU; shorter cut accuracy on "
        "the benchmark: docs/benchmarks.md).",
    )
    shots: int = Field(
        4, ge=1, description="Retrieved exemplars quoted in the prompt, nearest first (the rest "
        "stay in lineage); the answer must be supported by a quoted one.",
    )
    snippet_chars: int = Field(
        160, ge=20, description="Characters of each quoted exemplar's text.",
    )
    policy: str = Field(
        "human",
        description="Who decides an escalated document: 'human' (default: on the benchmark no "
        "packaged local LLM beat the classifier, see docs/adjudication.md), 'top1', 'majority', "
        "'llm' or 'llm_agrees_majority'. With a stronger endpoint, measure and switch.",
    )

    @property
    def resolved_base_url(self) -> str:
        return self.base_url or f"http://{self.host}:{self.port}/v1"

    @property
    def resolved_model(self) -> str:
        return self.model or self.serve_model


class ApiSettings(BaseSettings):
    """The HTTP API: where it listens and who may call it."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_API_", extra="ignore")

    host: str = Field("127.0.0.1", description="Address `papertrail serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `papertrail serve` binds.")
    keys: list[str] = Field(
        default_factory=list,
        description="API keys as `OWNER:ROLE:SHA256HEX` (the sha256 of the key, never the key); "
        "ROLE is submitter, reviewer or admin. JSON list in the env var.",
    )
    keys_file: Path | None = Field(
        None, description="YAML/JSON list of {owner, role, sha256}; default DATA_DIR/api-keys.yaml "
        "(written by `papertrail api-key create`).",
    )
    resume_wait_seconds: float = Field(
        20.0, ge=0, description="How long POST /reviews/{id} waits for the worker's outcome "
        "before answering 202 (the decision still applies).",
    )
    public_url: str | None = Field(
        None, description="Base URL clients reach the API at (e.g. https://papertrail.example."
        "com behind a proxy); `status_url` and `Location` are built from it, never from the "
        "request's Host header. Default: http://HOST:PORT of this server.",
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, description="Largest request body other than an upload (JSON, "
        "Slack events); uploads have PAPERTRAIL_MAX_UPLOAD_BYTES.",
    )
    body_timeout_seconds: float = Field(
        120.0, gt=0, description="A request whose body has not fully arrived this long after "
        "its headers is answered 408 and its connection closed (slow clients).",
    )
    keep_alive_seconds: int = Field(
        5, ge=1, description="An idle keep-alive connection is closed after this long "
        "(uvicorn's timeout_keep_alive).",
    )
    max_queued: int = Field(
        1000, ge=0, description="Backpressure: most documents queued and not yet processed "
        "(received or processing), all submitters together; past it POST /documents answers "
        "429 `queue_full` with Retry-After and stores nothing. 0 = no limit. About 5 minutes "
        "of work for 2 cores on one-page scans.",
    )
    max_queued_per_key: int = Field(
        500, ge=0, description="The same limit per API key owner, so one client cannot fill "
        "the whole queue. 0 = no limit.",
    )
    rate_window_seconds: float = Field(
        300.0, gt=0, description="The processing rate (/metrics, estimated waits, Retry-After) "
        "is measured over this many recent seconds.",
    )

    @property
    def resolved_public_url(self) -> str:
        """`public_url`, or this server's own address (its host name when bound to all)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"


class SlackSettings(BaseSettings):
    """Slack approvals. Off unless the bot token, signing secret and channel are all set."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_SLACK_", extra="ignore")

    bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-...).")
    signing_secret: SecretStr | None = Field(None, description="App signing secret.")
    channel: str | None = Field(None, description="Channel id where reviews are posted.")
    reviewers: dict[str, str] = Field(
        default_factory=dict,
        description="Allow-list: Slack user id -> reviewer identity recorded in lineage. "
        "Anyone else's clicks are refused.",
    )
    api_base_url: str | None = Field(
        None, description="Slack Web API base URL (keep the trailing /api/); for tests/proxies.",
    )

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.signing_secret and self.channel)


def default_concurrency(data: dict[str, Any]) -> int:
    """2 × cores available with threads; the cores with prefork or solo"""
    return available_cpus() * (2 if data.get("pool") == "threads" else 1)


class WorkerSettings(BaseSettings):
    """Celery workers: embedded SQLite broker by default, Redis for many machines."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_WORKER_", extra="ignore")

    broker_url: str | None = Field(
        None, description="Celery broker; default sqla+sqlite:///DATA_DIR/broker.sqlite. "
        "Scale-out: redis://HOST:6379/0.",
    )
    result_backend: str | None = Field(
        None, description="Celery result store; default db+sqlite:///DATA_DIR/results.sqlite "
        "(or the Redis broker URL when the broker is Redis).",
    )
    queue: str = Field("papertrail", description="Celery queue the API feeds and workers read.")
    pool: Literal["threads", "prefork", "solo"] = Field(
        "threads", description="How a worker runs its `concurrency` tasks: 'threads' (one "
        "process: the bundle, Qdrant's local folder and the OCR pool loaded once and shared; "
        "Tesseract and torch run outside Python's lock), 'prefork' (a process per task: each "
        "loads the bundle; on the embedded Qdrant only one of them can open the exemplar index) or "
        "'solo' (one task at a time).",
    )
    concurrency: int = Field(
        default_factory=default_concurrency, ge=1,
        description="Documents one `papertrail worker` processes at once (threads or "
        "processes, see `pool`). Default: with threads, twice the cores this process may use "
        "(CPU affinity and cgroup quota applied), so one document's OCR overlaps other "
        "documents' model work and Python steps (measured ~10 % more documents per minute "
        "than one per core, for ~20 MiB; docs/benchmarks.md); with prefork or solo, the cores.",
    )
    poll_seconds: float = Field(
        0.1, gt=0, le=5, description="How often a worker on the SQLite (SQLAlchemy) broker "
        "looks for a task when it has a free slot (that transport polls; Redis pushes). "
        "kombu's default of 1 s leaves a finished slot idle for 0.5 s on average.",
    )
    max_retries: int = Field(5, ge=0, description="Retries of a failing task (with backoff).")
    retry_backoff_max: int = Field(120, ge=1, description="Longest wait between retries, seconds.")
    stalled_after_seconds: float = Field(
        120.0, gt=0, description="A document left `received`/`processing` this long with no "
        "progress is queued again (crash recovery; `received` ones only when the queue is "
        "empty).",
    )
    recover_every_seconds: float = Field(
        30.0, gt=0, description="How often each running worker looks for stalled documents "
        "(also once when it starts).",
    )
    max_recoveries: int = Field(
        3, ge=0, description="Times one document is queued again after stalling; the next "
        "stall marks it `failed` (error `processing_stalled`).",
    )


class LineageSettings(BaseSettings):
    """Signed lineage: the key that signs records and the public keys trusted to have signed."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_LINEAGE_", extra="ignore")

    key_file: Path | None = Field(
        None, description="Ed25519 private key (PEM, PKCS#8) that signs every lineage record; "
        "default DATA_DIR/lineage/signing-key.pem, created with mode 0600 on first use. Keep it "
        "out of database backups: whoever holds it can sign a rewritten chain.",
    )
    trusted_keys_dir: Path | None = Field(
        None, description="Folder of trusted public keys (PEM files, *.pub or *.pem); records "
        "signed by any of them verify. Default DATA_DIR/lineage/trusted-keys. A new signing "
        "key's public key is written here, so retired keys stay trusted after a rotation.",
    )
    anchor_dir: Path | None = Field(
        None, description="Append-only files of every document's chain heads, outside the "
        "database, so a chain rewritten or cut short there is detected even with its "
        "signatures removed. Default DATA_DIR/lineage/anchors.",
    )


class ReviewAppSettings(BaseSettings):
    """The reviewer web app (/ui): accounts' sessions, sign-in throttling, claims, page images."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_UI_", extra="ignore")

    session_hours: float = Field(12.0, gt=0, description="A sign-in lasts this long.")
    secure_cookies: bool = Field(
        False, description="Mark the session cookie Secure (send it over HTTPS only): set it "
        "when the app is served over HTTPS, e.g. behind a TLS-terminating proxy.")
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins allowed per account name within "
        "`login_window_minutes`; more are refused (429) until the window passes.")
    login_window_minutes: float = Field(15.0, gt=0, description="See `login_max_failures`.")
    claim_minutes: float = Field(
        15.0, gt=0, description="A reviewer who opens a document holds it this long (renewed "
        "while it stays open); nobody else can decide it from the web app meanwhile.")
    page_dpi: int = Field(110, ge=36, le=300, description="Resolution PDF pages are rendered "
                          "at for GET /documents/{id}/pages/{n} (cached on disk).")
    qa_sample_rate: float = Field(
        0.0, ge=0, le=1, description="QA second look: this share of auto-approved documents "
        "(chosen by their id, so always the same ones) also goes to the review queue as a "
        "`qa` item; its outcome stands, the reviewer's verdict is recorded and counted "
        "(/metrics, /ui/admin).")


class WebhookSettings(BaseSettings):
    """Webhooks: `document.needs_review` and `document.decided` POSTed to these URLs, signed."""

    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_WEBHOOK_", extra="ignore")

    urls: list[str] = Field(
        default_factory=list, description="Receivers (JSON list in the env var); each event is "
        "delivered to each URL. Off while empty or without `secret`.")
    secret: SecretStr | None = Field(
        None, description="Shared secret: each delivery carries `X-Papertrail-Signature: "
        "sha256=HEX`, the HMAC-SHA256 of `TIMESTAMP.BODY` under it.")
    timeout_seconds: float = Field(10.0, gt=0, description="Time one delivery attempt may take.")
    max_attempts: int = Field(8, ge=1, le=50, description="Attempts per delivery (the worker "
                              "retries with exponential backoff) before it is marked failed.")
    retry_base_seconds: float = Field(5.0, gt=0, description="Wait before the second attempt; "
                                      "doubled for each next one, at most 10 minutes.")

    @property
    def enabled(self) -> bool:
        return bool(self.urls) and self.secret is not None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAPERTRAIL_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./var"), description="Database, blobs, caches, bundles, indexes.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: a SQLite file in the data folder."
    )
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1, description="Largest accepted upload.")
    max_pages: int = Field(200, ge=1, description="Most pages accepted in one document.")
    max_image_pixels: int = Field(
        89_478_485, ge=1, description="Largest page image (width*height) accepted; bigger images "
        "are treated as decompression bombs. Pillow's own default."
    )
    ocr_workers: int = Field(
        default_factory=available_cpus, ge=1,
        description="Tesseract processes one OCR service runs in parallel (one per core is "
        "fastest); a worker shares one service between its threads.",
    )
    ocr_page_timeout: float = Field(120.0, gt=0, description="Seconds before one page's OCR is "
                                    "abandoned.")
    ocr: OcrEngineOptions = Field(
        default_factory=TesseractOptions, description="The OCR engine and its options, as JSON "
        'with a `kind` (e.g. {"kind": "tesseract"}); default Tesseract, set by PAPERTRAIL_OCR_*.'
    )
    ocr_policy: Literal["tesseract", "rapidocr", "auto"] = Field(
        "auto", description="Which engine reads which page. `tesseract`: the engine of "
        "PAPERTRAIL_OCR (Tesseract by default) reads every page. `rapidocr`: RapidOCR "
        "(PAPERTRAIL_RAPIDOCR_*) reads every page (~4x the time). `auto`: the first reads every "
        "page (classification, throughput); pages of documents classified as a type with key "
        "fields (receipt, invoice) are read again by RapidOCR at extraction, and their fields "
        "fused from both readings (docs/benchmarks.md).",
    )
    rapidocr: RapidOcrOptions = Field(
        default_factory=RapidOcrOptions, description="RapidOCR's options, as JSON; set by "
        "PAPERTRAIL_RAPIDOCR_*. Used by the `rapidocr` and `auto` OCR policies.",
    )
    auto_finalize_bands: list[Literal["confident", "ambiguous"]] = Field(
        default_factory=lambda: ["confident"],
        description="Bands whose documents may finalize without a person when every rule "
        "passes and no policy asks for review. Add `ambiguous` to trust LLM adjudication.",
    )
    always_review: bool = Field(False, description="Every document goes to a person.")
    canary_share: float = Field(
        0.0, ge=0, le=1, description="Share of documents (chosen by their id's hash) the "
        "shadow candidate bundle decides instead of the active one (docs/lifecycle.md).")
    rules_dir: Path | None = Field(
        None, description="Folder of rule-set YAML files; default: the packaged agent/rules/."
    )
    shared_cache_dir: Path | None = Field(
        None, description="Cache folder (OCR results) shared between data folders; default: "
        "DATA_DIR/cache. The eval harness points it at your main cache so it never re-OCRs."
    )
    checkpoint_url: str | None = Field(
        None, description="Where paused runs are kept: a PostgreSQL URL, or default a SQLite "
        "file in the data folder (or the database, when PAPERTRAIL_DATABASE_URL is PostgreSQL)."
    )
    api: ApiSettings = Field(default_factory=ApiSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    lineage: LineageSettings = Field(default_factory=LineageSettings)
    ui: ReviewAppSettings = Field(default_factory=ReviewAppSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    drift: DriftSettings = Field(default_factory=DriftSettings)

    @property
    def resolved_data_dir(self) -> Path:
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir / 'papertrail.db'}"

    @property
    def resolved_checkpoint_url(self) -> str:
        """A libpq URL for PostgresSaver, or a SQLite file path for SqliteSaver."""
        url = self.checkpoint_url or self.database_url or ""
        if url.startswith("postgresql"):
            return "postgresql://" + url.split("://", 1)[1]  # drop SQLAlchemy's "+psycopg"
        return str(self.resolved_data_dir / "checkpoints.sqlite")

    @property
    def blob_dir(self) -> Path:
        return self.resolved_data_dir / "blobs"

    @property
    def cache_dir(self) -> Path:
        return self.shared_cache_dir or self.resolved_data_dir / "cache"

    @property
    def bundle_dir(self) -> Path:
        return self.resolved_data_dir / "bundles"

    @property
    def index_dir(self) -> Path:
        return self.resolved_data_dir / "index"

    @property
    def lineage_key_file(self) -> Path:
        return self.lineage.key_file or self.resolved_data_dir / "lineage" / "signing-key.pem"

    @property
    def lineage_trusted_keys_dir(self) -> Path:
        return self.lineage.trusted_keys_dir or self.resolved_data_dir / "lineage" / "trusted-keys"

    @property
    def lineage_anchor_dir(self) -> Path:
        return self.lineage.anchor_dir or self.resolved_data_dir / "lineage" / "anchors"

