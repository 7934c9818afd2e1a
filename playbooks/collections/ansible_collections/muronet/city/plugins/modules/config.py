"""Documentation of the muronet.city.config action (it runs on the controller: plugins/action/config.py)."""

DOCUMENTATION = r"""
module: config
short_description: Push a device's intended configuration (diff first), confirm it, or roll it back
description:
  - C(state=pushed) renders the device's intended configuration from the inventory (secrets from
    C(muronet_secrets)), shows the diff from its running configuration and, outside check mode,
    pushes it unsaved, keeping the previous configuration as an encrypted rollback point.
  - C(state=confirmed) saves what was pushed; C(state=rolled_back) restores the rollback point and saves.
  - Needs C(ansible_connection=ansible.netcommon.network_cli) and a vault secret.
options:
  state:
    description: What to do.
    type: str
    choices: [pushed, confirmed, rolled_back]
    default: pushed
  rollback_dir:
    description: Folder of the rollback points.
    type: path
    default: build/ansible-rollback
attributes:
  check_mode: {support: full}
  diff_mode: {support: full}
"""
