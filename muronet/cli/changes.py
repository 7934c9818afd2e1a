"""Commands that change devices, and the review of changes: provision, review."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

if TYPE_CHECKING:  # the workflows load when a command runs (the CLI starts fast)
    from muronet.workflows.provision import ProvisionResult

from muronet.cli.common import (
    DEFAULT_LAB_STATE,
    InventoryOption,
    JsonOption,
    LimitOption,
    StateOption,
    TemplatesOption,
    app,
    csv,
    emit_json,
    fail,
    folder,
    lab_state,
    out,
    presented,
    say,
    show_diff,
)

SHOWN_DETAIL = 500  # characters of a device's detail line on the screen (the JSON has it whole)


@app.command()
def provision(
    inventory: InventoryOption = Path("inventory"),
    limit: LimitOption = None,
    commit: Annotated[bool, typer.Option("--commit", help="Push the changes (default: dry run, show the diffs).")
                      ] = False,
    lab: Annotated[bool, typer.Option("--lab", help="Provision the digital twin (see --state) instead of the "
                                      "production devices.")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    templates: TemplatesOption = None,
    revert_in: Annotated[int, typer.Option(help="Seconds before an unconfirmed commit reverts by itself.", min=30)
                         ] = 600,
    settle: Annotated[float, typer.Option(help="Seconds to wait for the routing state to verify.", min=0)] = 90.0,
    workers: Annotated[int, typer.Option(help="Devices worked on in parallel.", min=1)] = 20,
    diff: Annotated[bool, typer.Option("--diff/--no-diff", help="Print each device's diff.")] = True,
    accept_risk: Annotated[str | None, typer.Option("--accept-risk", help="Commit a change the security review "
                                                    "blocks; the reason is logged with the commit.")] = None,
    log_dir: Annotated[Path, folder("--log-dir", help="Where each commit's review and outcome are logged.")
                       ] = Path("build/provision-log"),
    as_json: JsonOption = False,
) -> None:
    """Bring devices to their intended configuration: diff (dry run), or commit, verify, roll back.

    Exit 0 when every device is as intended (or, in a dry run, could be reached and diffed);
    1 when a device failed or was rolled back; 2 on bad input, or when the security review blocks the
    pending change (as `muronet review` would) and no --accept-risk reason is given (nothing is
    pushed then)."""
    from muronet.review.report import markdown
    from muronet.workflows.provision import ProvisionOptions
    from muronet.workflows.provision import provision as provision_workflow

    options = ProvisionOptions(inventory, limit, commit, lab_state(lab, state), templates, revert_in, settle,
                               workers, accept_risk, log_dir)
    with presented(as_json):
        result = provision_workflow(options)
    if result.blocked_by is not None:
        say(markdown(result.blocked_by.to_json()))
        fail("the review blocks the pending change (critical, or it adds a critical or high finding: review "
             "above); nothing was pushed. Give --accept-risk \"reason\" to commit it anyway", 2)
    if as_json:
        emit_json(result.to_json())
    else:
        _print_provision(result, diff)
    raise typer.Exit(result.exit_code)


def _print_provision(result: ProvisionResult, with_diff: bool) -> None:
    report = result.report
    for device in report.in_order():
        if with_diff and device.diff:
            say(f"── {device.name} ──")
            show_diff(device.diff)
    title = "Provisioning (committed)" if report.committed else "Provisioning (dry run: nothing pushed)"
    table = Table(title=title, show_edge=False)
    for outcome in report.summary:
        table.add_column(str(outcome), justify="right")
    table.add_row(*(str(n) for n in report.summary.values()))
    out.print(table)
    for device in report.in_order():
        if device.detail:
            say(f"{device.name}: {device.outcome}")
            for line in device.detail:  # scrubbed whole, then shortened for the screen
                say(f"  - {line if len(line) <= SHOWN_DETAIL else line[:SHOWN_DETAIL] + ' …'}")
    say("time: " + ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in report.seconds.items()))
    if result.review is not None:
        accepted = f", accepted: {result.review.accepted_risk}" if result.review.accepted_risk else ""
        say(f"security review of the change: {result.review.risk}{accepted} (logged in {result.review.log})")


@app.command()
def review(
    inventory: InventoryOption = Path("inventory"),
    git: Annotated[str | None, typer.Option("--git", help="BASE..HEAD of this repository (BASE.. : the working "
                                            "tree), rendered at both ends.")] = None,
    before: Annotated[Path | None, typer.Option("--before", help="Folder of <device>.cfg before the change.",
                                                file_okay=False)] = None,
    after: Annotated[Path | None, typer.Option("--after", help="Folder of <device>.cfg after the change.",
                                               file_okay=False)] = None,
    pending: Annotated[bool, typer.Option("--pending", help="What provision would change now: running → "
                                          "intended (with --lab: the twin).")] = False,
    lab: Annotated[bool, typer.Option("--lab", help="With --pending: the digital twin (see --state).")] = False,
    state: StateOption = DEFAULT_LAB_STATE,
    limit: LimitOption = None,
    formats: Annotated[str, typer.Option("--format", help="Reports to write: md,json,sarif.")] = "md,json,sarif",
    out_dir: Annotated[Path, folder("--out", help="Folder for the reports.")] = Path("build/review"),
    as_json: JsonOption = False,
) -> None:
    """Security review of a configuration change: semantic diff, policy before/after, classes, risk.

    Exit 1 when the change is critical or adds a blocking (critical/high) policy finding; 2 on bad input."""
    from muronet.review.report import markdown
    from muronet.workflows.review import FORMATS, ReviewOptions
    from muronet.workflows.review import review as review_workflow

    wanted = csv(formats, FORMATS, "report formats")
    with presented(as_json):
        result = review_workflow(ReviewOptions(inventory, git, before, after, pending, lab_state(lab, state), limit,
                                               wanted, out_dir))
    if as_json:
        emit_json(result.to_json())
    else:
        say(markdown(result.to_json()))
        for name, path in result.written.items():
            say(f"{name} report: {path}")
    raise typer.Exit(1 if result.blocking else 0)
