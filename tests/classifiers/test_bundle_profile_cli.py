"""`papertrail bundles show` prints the bundle's reference profile (drift checks' yardstick)."""

from __future__ import annotations

from typer.testing import CliRunner

from api.cli import app
from classifiers.bundle import Registry, read_info


def test_show_prints_the_reference_profile(bundle: tuple[Registry, str]) -> None:
    registry, bundle_id = bundle
    profile = read_info(registry.path(bundle_id)).profile
    assert profile is not None
    result = CliRunner().invoke(app, ["bundles", "show", bundle_id, "--root",
                                      str(registry.root)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"reference profile: {profile.n} certification documents" in out
    for signal in ("confidence", "label", "ocr_confidence", "text_chars"):
        assert signal in out
    top = max(profile.signals["confidence"].shares)
    assert f"0.9-1 {top:.0%}" in out or f">=0.9 {top:.0%}" in out
