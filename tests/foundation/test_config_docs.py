from pathlib import Path

from api.commands.config_docs import markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_doc_is_the_generated_table() -> None:
    """docs/configuration.md must list every setting as the settings classes define it;
    regenerate it with `papertrail settings > docs/configuration.md`."""
    assert DOC.read_text(encoding="utf-8") == markdown()
