"""Run every benchmark script in this folder and print what each prints (`make bench`).

Each script is run as its own process with this interpreter, in name order, so one
benchmark's imports, caches or event loop never flatter the next one's numbers.
Exits non-zero when any script fails, after running them all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmark_scripts(folder: Path = HERE) -> list[Path]:
    """Every `*.py` here except this runner and private helpers (`_*.py`)."""
    this = Path(__file__).name
    return sorted(p for p in folder.glob("*.py") if p.name != this and not p.name.startswith("_"))


def main() -> int:
    failed: list[str] = []
    for script in benchmark_scripts():
        print(f"=== {script.name} " + "=" * max(0, 70 - len(script.name)), flush=True)
        completed = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        if completed.returncode != 0:
            failed.append(f"{script.name} (exit {completed.returncode})")
        print(flush=True)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
