"""What every command shares: the application, the consoles, the common options, and the
presentation of failures (a clear message and the exit code, never a traceback)."""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.syntax import Syntax
from rich.text import Text

from muronet.display import json_text, visible_lines
from muronet.files import Refused
from muronet.inventory.loader import Inventory
from muronet.workflows import InvalidInventory, WorkflowError

if TYPE_CHECKING:  # the command line starts without the twin's modules
    from muronet.lab.verify import MatrixCell, ZoneMatrix


class Commands(typer.Typer):
    """Typer whose commands present input muronet refuses to read (a link out of the repository,
    a file over its size limit) and a path it cannot use (``--out`` under a file, a folder it may
    not write) as ``path: reason`` and exit 2, whichever command met it."""

    # Typer's own signature spells out every option; this passes them all through unchanged.
    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:  # type: ignore[override]
        register = super().command(*args, **kwargs)

        def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(function)
            def guarded(*call_args: Any, **call_kwargs: Any) -> Any:
                try:
                    return function(*call_args, **call_kwargs)
                except Refused as error:
                    fail(str(error), 2)
                except OSError as error:  # a path muronet cannot write or read: the path and why
                    if not error.filename:
                        raise
                    fail(f"{error.filename}: {error.strerror or error}", 2)

            register(guarded)
            return function

        return decorator


app = Commands(
    help="Provision and audit the City of Muroran's networks from the inventory in git.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    if asked:
        print(f"muronet {version('muronet')}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                               help="Print muronet's version and exit.")] = False,
) -> None:
    """Provision and audit the City of Muroran's networks from the inventory in git."""
class DataConsole(Console):
    """A console that shows every text as written: no rich markup or emoji code is read in it, and
    every control, escape and bidirectional character from data is shown as its escape
    (``muronet.display``), whichever renderable (a line, a table cell, a title) holds it."""

    def render_str(self, text: str, **options: Any) -> Text:
        options.update(markup=False, emoji=False, highlight=False)
        return super().render_str(visible_lines(text), **options)


out = DataConsole(highlight=False, soft_wrap=True)
err = DataConsole(stderr=True, highlight=False, soft_wrap=True)

InventoryOption = Annotated[
    Path, typer.Option("--inventory", "-i", help="Inventory folder.", file_okay=False, show_default=True)
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a machine-readable result on stdout.")]
LimitOption = Annotated[
    str | None,
    typer.Option("--limit", "-l", help="Devices to work on: name globs or site:/role:/zone:/platform:/kind: "
                 "groups, comma-separated (e.g. 'core*,site:library,zone:LGWAN')."),
]
TemplatesOption = Annotated[Path | None, typer.Option(help="Template folder (default: beside the inventory).")]

# FRR's daemons run as user frr and must reach the state folder: /var/tmp is world-traversable,
# a checkout under /root is not.
DEFAULT_LAB_STATE = Path(os.environ.get("MURONET_LAB_STATE", "/var/tmp/muronet-lab"))
def folder(*names: str, help: str) -> Any:
    """An option naming a folder muronet writes into: a file there is a usage error (exit 2). Not
    checked for reading here: the twin's state folder is root's, and a command run by another user
    that does not use it (``audit --from``) must not fail on it."""
    return typer.Option(*names, help=help, file_okay=False, readable=False)


StateOption = Annotated[Path, folder("--state", help="The twin's state folder (MURONET_LAB_STATE).")]


def emit_json(document: Any) -> None:
    sys.stdout.write(json_text(document, indent=2) + "\n")


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"muronet: {message}", markup=False)
    raise typer.Exit(code)


def say(text: str) -> None:
    """One line of the result, as written (no rich markup is read in it)."""
    out.print(text, markup=False)


def show_diff(diff: str) -> None:
    out.print(Syntax(visible_lines(diff), "diff", theme="ansi_dark", background_color="default"))


@contextmanager
def presented(as_json: bool = False) -> Iterator[None]:
    """A workflow's failure as the user sees it: its details and message on stderr (an invalid
    inventory as the JSON document with ``--json``), and its exit code."""
    try:
        yield
    except InvalidInventory as error:
        if as_json:
            emit_json({"valid": False, "errors": [issue.as_dict() for issue in error.issues]})
            raise typer.Exit(error.code) from None
        _failed(error)
    except WorkflowError as error:
        _failed(error)


def _failed(error: WorkflowError) -> NoReturn:
    for line in error.details:
        err.print(line, markup=False)
    fail(str(error), error.code)


def loaded(inventory: Path, as_json: bool) -> Inventory:
    """The validated inventory; its errors presented and exit 1 otherwise."""
    from muronet.workflows.common import load

    with presented(as_json):
        return load(inventory)


def csv(value: str, allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """A comma-separated option's values; an unknown or missing one is a usage error (exit 2)."""
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in allowed]
    if unknown or not chosen:
        fail(f"{', '.join(map(repr, unknown)) or repr(value)}: {what} are {', '.join(allowed)}", 2)
    return chosen


def lab_state(lab: bool, state: Path) -> Path | None:
    """The twin's state folder when ``--lab`` is given: the devices otherwise."""
    return state if lab else None


def print_matrix(matrix: ZoneMatrix) -> None:
    """A zone reachability matrix (``lab verify``'s, pinged, or the offline model's) as a table,
    with every violation on a line of its own."""
    from rich.table import Table

    bad = Counter((v.source.zone, v.target.zone) for v in matrix.violations)
    table = Table(title="Zone reachability (rows: from, columns: to; reached/probes)", show_edge=False)
    table.add_column("from \\ to")
    for zone in matrix.zones:
        table.add_column(zone, justify="center")
    for a in matrix.zones:
        table.add_row(a, *(_matrix_cell(matrix.cells.get((a, b)), bad[(a, b)]) for b in matrix.zones))
    out.print(table)
    if matrix.model:
        say(f"separation model {matrix.model}")
    if matrix.failed:
        took = f"in {matrix.converged_seconds} s" if matrix.converged_seconds is not None else "NOT within the wait"
        say(f"with {' + '.join(matrix.failed)} down: expected what the offline model predicts; the {matrix.changed} "
            f"flow(s) the failure changes converged {took} (from `lab fail`)")
    else:
        say("expected: a flow works exactly when both ends are in the same zone (approved paths end on a "
            "server's side in each zone: nothing is routed between zones)")
    for v in matrix.violations:
        say(f"VIOLATION {v.source.zone} {v.source.address} ({v.source.label}) -> {v.target.zone} "
            f"{v.target.address} ({v.target.label}): expected {v.expected}, {v.got}")
    for line in matrix.routing_table_violations:
        say(f"VIOLATION routing table: {line}")
    took = f" in {matrix.seconds} s" if matrix.seconds is not None else ""
    say(f"{'PASS' if matrix.ok else 'FAIL'}: {matrix.probes} probes, {len(matrix.violations)} "
        f"reachability and {len(matrix.routing_table_violations)} routing-table violations{took}")


def _matrix_cell(cell: MatrixCell | None, violations: int) -> str:
    if cell is None:
        return "-"
    one_way = f" (+{cell.one_way} one way)" if cell.one_way else ""
    return f"{cell.reached}/{cell.probes}{one_way} " + (f"VIOLATION ×{violations}" if violations else "ok")
