"""`attacks/certificates.py` runs and finds nothing: the script cannot rot, its figures stay 0."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "attacks" / "certificates.py"


def test_the_certificate_attacks_obtain_no_approval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EROS_SIGNING_KEY", "EROS_SIGNING_KEY_FILE", "EROS_DB_URL", "EROS_MCP_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    spec = importlib.util.spec_from_file_location("attack_certificates", SCRIPT)
    assert spec is not None and spec.loader is not None
    attacks = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, attacks)  # its dataclasses look their module up
    spec.loader.exec_module(attacks)
    report = attacks.run_attacks(tmp_path)
    assert report.attempts >= 50
    assert report.bad == dict.fromkeys(report.bad, 0)
    assert report.count("draft") + report.count("refused") + report.count("as signed") == report.attempts
    assert report.outcomes["queue a shuffled stored week"]["refused"] == 1
