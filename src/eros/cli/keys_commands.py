"""`eros keys show | rotate`: the installation's signing key, by fingerprint only (ARCHITECTURE D6).

A key is never printed; its fingerprint is enough to tell which key a process holds. After a
rotation the replaced key still verifies certificates for 330 s (300 s old + 30 s in the future),
so a run that signed just before it still saves as approved; processes that sign keep the key
they started with, so restart long-running ones (`eros mcp serve` re-reads the file per save).
"""

from __future__ import annotations

import typer
from rich.console import Console

from eros.cli.database import configured
from eros.clock import iso_z
from eros.validation.certificate import KeyRing, key_fingerprint

keys_app = typer.Typer(help="The signing key: show its fingerprint, rotate it.", no_args_is_help=True)
console = Console()


def _describe(ring: KeyRing) -> None:
    console.print(f"current key {key_fingerprint(ring.current)}")
    for old in ring.retired:
        console.print(f"replaced key {key_fingerprint(old.key)} verifies until {iso_z(old.until)}")


@keys_app.command("show")
def show() -> None:
    """Where the key lives and the fingerprints of the current and still-verifying keys."""
    keys = configured().signing_keys
    console.print("from EROS_SIGNING_KEY" if keys.from_environment else f"key file {keys.key_path}")
    _describe(keys.ring())


@keys_app.command("rotate")
def rotate() -> None:
    """Replace the key; certificates the old one signed in the last 330 s still verify."""
    container = configured()
    before, after = container.signing_keys.rotate(container.clock.now())
    console.print(f"[green]Rotated[/] the signing key in {container.signing_keys.key_path}")
    console.print(f"was {key_fingerprint(before.current)}")
    _describe(after)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
