"""`attacks/certificates.py` runs and finds nothing: the script cannot rot, its figures stay 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import load_attack


def test_the_certificate_attacks_obtain_no_approval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EROS_SIGNING_KEY", "EROS_SIGNING_KEY_FILE", "EROS_DB_URL", "EROS_MCP_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    attacks = load_attack("certificates")
    report = attacks.run_attacks(tmp_path)
    assert report.attempts >= 50
    assert report.bad == dict.fromkeys(report.bad, 0)
    assert report.count("draft") + report.count("refused") + report.count("as signed") == report.attempts
    assert report.outcomes["queue a shuffled stored week"]["refused"] == 1
