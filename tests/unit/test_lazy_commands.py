"""`eros --help` lists every command from the command table without importing a command module."""

from __future__ import annotations

import subprocess
import sys

import typer
import typer.main
from typer.testing import CliRunner

from eros.cli.app import app
from eros.cli.lazy_commands import COMMANDS, MODULES, LazyCommands, Unloaded, register_module

HEAVY = ("eros.bootstrap", "mcp", "ortools", "alembic", "sqlalchemy", "eros.cli.generate_commands")


def _eager_app() -> typer.Typer:
    """The same app with every module registered up front (what `_register` does)."""
    eager = typer.Typer(
        name="eros",
        help=app.info.help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    eager.registered_callback = app.registered_callback
    for module in MODULES:
        register_module(eager, module)
    return eager


def test_the_table_names_every_command_its_modules_register_with_their_help() -> None:
    group = typer.main.get_group(_eager_app())
    real = {
        name: (cmd.short_help or cmd.help or "").split("\n\n")[0].strip()
        for name, cmd in group.commands.items()
    }
    assert {entry.name: entry.help for entry in COMMANDS} == real
    assert [entry.name for entry in COMMANDS] == list(group.commands)
    assert sorted(MODULES) == sorted({entry.module for entry in COMMANDS})


def test_help_is_the_same_as_with_every_module_loaded() -> None:
    lazy = CliRunner().invoke(app, ["--help"], terminal_width=100)
    eager = CliRunner().invoke(_eager_app(), ["--help"], terminal_width=100)
    assert lazy.exit_code == eager.exit_code == 0
    assert lazy.output == eager.output


def test_help_imports_no_command_module() -> None:
    script = (
        "import sys\n"
        "from eros.cli.app import run\n"
        "code = run(['--help'])\n"
        f"print(code, sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "Commands" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "0 []"


def test_a_command_loads_its_module_when_it_runs() -> None:
    group = LazyCommands(name="eros")
    assert isinstance(group.commands["show"], Unloaded)
    _, command, rest = group.resolve_command(typer.Context(group), ["show", "alexia"])
    assert command is not None and not isinstance(command, Unloaded)
    assert command.callback is not None and command.callback.__module__ == "eros.cli.generate_commands"
    assert rest == ["alexia"]
    # The module's other commands are loaded with it; other modules' stay stand-ins.
    assert not isinstance(group.commands["export"], Unloaded)
    assert isinstance(group.commands["status"], Unloaded)


def test_a_misspelt_command_still_gets_a_suggestion() -> None:
    result = CliRunner().invoke(app, ["generat"])
    assert result.exit_code == 2
    assert "Did you mean 'generate'?" in result.output
