"""Drift: the intended (rendered) configuration against the running one, with the commands that
would bring the device back (hier_config's remediation, per platform)."""

from __future__ import annotations

from hier_config import WorkflowRemediation

from muronet.platforms import get_platform


def remediation(platform: str, intended: str, running: str) -> list[str]:
    """Commands (indented under their parents) that turn ``running`` into ``intended``; [] if none.

    >>> remediation("frr", "hostname r1\\nlog syslog informational\\n", "hostname r1\\n")
    ['log syslog informational']
    """
    driver = get_platform(platform)
    running = driver.without_device_lines(running)
    workflow = WorkflowRemediation(running_config=driver.parse(running), generated_config=driver.parse(intended))
    return list(workflow.remediation_config.dump_simple())
