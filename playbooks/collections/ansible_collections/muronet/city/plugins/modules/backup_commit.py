"""Documentation of the muronet.city.backup_commit action (plugins/action/backup_commit.py)."""

DOCUMENTATION = r"""
module: backup_commit
short_description: Commit the run's changed backups in one commit (run once)
options:
  repo: {description: The backups' git repository., type: path, required: true}
  unreachable: {description: Devices that could not be backed up (named in the commit message)., type: list,
                elements: str, default: []}
"""
