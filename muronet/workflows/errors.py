"""The failures a workflow reports to its caller (the CLI presents them; nothing here prints)."""

from __future__ import annotations

from muronet.inventory.issues import Issue


class WorkflowError(Exception):
    """A failure the user must act on: the message says what and why; ``code`` is the exit status
    (1: the run failed; 2: bad input, nothing done); ``details`` come before it (one per line)."""

    def __init__(self, message: str, code: int = 2, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.details = details or []


class InvalidInventory(WorkflowError):
    """The inventory does not validate: every issue, with its file and line."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"the inventory has {len(issues)} error(s); fix them first (muronet validate)", 1,
                         [issue.format() for issue in issues])
        self.issues = issues
