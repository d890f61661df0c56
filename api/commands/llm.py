"""`papertrail llm serve`: the local OpenAI-compatible llama.cpp server with a packaged model."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli_support import settings as cli_settings


def register(app: typer.Typer) -> None:
    llm_app = typer.Typer(help="The local LLM used for adjudication.", no_args_is_help=True)

    @llm_app.command("serve")
    def serve(
        model: Annotated[
            str | None, typer.Option(help="Packaged model: gemma3-270m or smollm2-135m.")
        ] = None,
        port: Annotated[int | None, typer.Option(help="Port (default: settings.llm.port).")] = None,
    ) -> None:
        """Start llama.cpp's server on 127.0.0.1 until interrupted (Ctrl-C)."""
        from agent.llm.models import packaged_model
        from agent.llm.server import LocalLlmServer

        settings = cli_settings()
        cfg = settings.llm
        packaged = packaged_model(model or cfg.serve_model)
        gguf = packaged.path(settings.resolved_data_dir / "models")
        server = LocalLlmServer(
            packaged, gguf, host=cfg.host, port=port or cfg.port,
            n_ctx=cfg.n_ctx, n_threads=cfg.n_threads,
        )  # fmt: skip
        server.start()
        typer.echo(
            f"Serving {packaged.name} ({gguf.name}) at {server.base_url}; model name "
            f"{packaged.name!r}. Ctrl-C stops it."
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            server.stop()

    app.add_typer(llm_app, name="llm")
