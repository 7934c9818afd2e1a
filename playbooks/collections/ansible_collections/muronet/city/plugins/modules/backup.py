"""Documentation of the muronet.city.backup action (plugins/action/backup.py)."""

DOCUMENTATION = r"""
module: backup
short_description: Write a device's running configuration, secrets masked, into the backups' repository
description:
  - The same file C(muronet backup) writes (masked with the repository's salt); changed when it differs.
options:
  repo: {description: The backups' git repository (created if missing)., type: path, required: true}
"""
