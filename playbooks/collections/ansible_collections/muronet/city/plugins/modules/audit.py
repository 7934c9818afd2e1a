"""Documentation of the muronet.city.audit action (plugins/action/audit.py)."""

DOCUMENTATION = r"""
module: audit
short_description: Audit a folder of configurations against the city's security policy (run on the controller)
description:
  - The audit of C(muronet audit --from), through the same workflow (muronet.workflows.audit), waivers applied.
  - Returns the audit's document (counts, findings, drift, passed) and the reports written; never fails by itself.
options:
  inventory: {description: The inventory folder., type: path, required: true}
  source: {description: Folder of <device>.cfg files (the backups)., type: path, required: true}
  out: {description: Folder for the reports (html, json, junit, md)., type: path, required: true}
"""
