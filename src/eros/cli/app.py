"""The `eros` Typer application: registers every command group and turns errors into exit codes.

Every failure leaves as one line, `error [CODE] sentence`, and a documented exit code
(docs/OPERATIONS.md §10): 2 for a coded error, 75 when the same command may work if retried
(a lock), 70 for a bug (INTERNAL_ERROR). `eros --debug CMD …` also prints the traceback.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

# Typer vendors Click: its usage errors are these classes, not the `click` package's.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from eros.cli.lazy_commands import MODULES, LazyCommands, register_module
from eros.config import LOG_FORMATS, load_log_settings
from eros.errors import ErosError, InternalError
from eros.infra.logs import configure_logging, reset_logging

app = typer.Typer(
    name="eros",
    cls=LazyCommands,
    help="EROS: weekly send schedules for creator agencies, and the rollout machinery around them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)

#: Exit codes beside 0 (success) and 1 (a run that produced nothing, a rejected validation).
EXIT_ERROR = 2
EXIT_INTERNAL = 70
EXIT_RETRY = 75


class _Options:
    """The global options of this invocation (set by the callback, read by the error handler)."""

    debug = False


@app.callback()
def global_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Print the traceback of a failure as well as its error line.")
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, show_default=False, help="INFO log lines on stderr (-vv: DEBUG)."
        ),
    ] = 0,
    log_file: Annotated[
        Path | None,
        typer.Option(
            "--log-file",
            help="Also log to this rotated file (EROS_LOG_FILE; docs/OPERATIONS.md, logs).",
            show_default=False,
        ),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help=f"{' or '.join(LOG_FORMATS)} lines (EROS_LOG_FORMAT; default plain).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """EROS: weekly send schedules for creator agencies, and the rollout machinery around them."""
    _Options.debug = debug
    configure_logging(load_log_settings(file=log_file, fmt=log_format), verbose)


def _register() -> None:
    """Attach every command group now (tests that want the whole app loaded call this); `run`
    does not: the app's group (`LazyCommands`) imports a command's module when it runs."""
    if app.registered_commands or app.registered_groups:
        return
    for module in MODULES:
        register_module(app, module)


def coded(exc: Exception) -> ErosError:
    """Any failure as a coded error: database faults by `eros.db.faults`, the rest INTERNAL_ERROR."""
    if isinstance(exc, ErosError):
        return exc
    # Deferred: SQLAlchemy loads only when a failure needs classifying.
    from eros.db.faults import database_fault, is_database_failure  # noqa: PLC0415 - see above

    if is_database_failure(exc):
        return database_fault(exc)
    first_line = (str(exc).strip().splitlines() or [""])[0][:200]
    return InternalError(
        f"Unexpected {type(exc).__name__}{': ' + first_line if first_line else ''}. "
        "This is a bug in EROS; `eros --debug …` prints the traceback for a report."
    )


def report(exc: Exception) -> int:
    """Print the failure's one line (and with --debug its traceback first); its exit code."""
    error = coded(exc)
    if _Options.debug:
        traceback.print_exception(exc, file=sys.stderr)
    err_console.print(f"[bold red]error[/] \\[{error.code}] {escape(error.message)}", soft_wrap=True)
    if isinstance(error, InternalError):
        return EXIT_INTERNAL
    return EXIT_RETRY if error.retryable else EXIT_ERROR


def _usage(exc: UsageError) -> int:
    """Click's usage errors as coded lines too (a bad option value is INVALID_ARGUMENT)."""
    if isinstance(exc, NoArgsIsHelpError):
        exc.show()
        return exc.exit_code
    code = "INVALID_ARGUMENT" if isinstance(exc, typer.BadParameter) else "USAGE_ERROR"
    err_console.print(f"[bold red]error[/] \\[{code}] {escape(exc.format_message())}", soft_wrap=True)
    if exc.ctx is not None:
        err_console.print(f"Try '{exc.ctx.command_path} --help' for help.", highlight=False, soft_wrap=True)
    return exc.exit_code


def run(argv: list[str] | None = None) -> int:
    """`eros ARGV…` in this process; its exit code (tests call this, `main` exits with it)."""
    _Options.debug = False
    try:
        result = app(args=argv, prog_name="eros", standalone_mode=False)
    except UsageError as exc:
        return _usage(exc)
    except ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
        err_console.print("Aborted.")
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # the one place a failure becomes a line; nothing else reaches the user
        return report(exc)
    finally:
        reset_logging()
    return result if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point."""
    sys.exit(run(sys.argv[1:]))
