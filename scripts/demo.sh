#!/usr/bin/env bash
# The main job on the built-in digital twin: validate and render the city's inventory, sync it into
# a local NetBox and draw the topology from there, boot every
# routed device unconfigured, provision them all from scratch (dry run, then commit with
# verification), test the security policy's zone matrix, show the Ansible playbook's dry run, and
# leave the twin running.
set -euo pipefail
cd "$(dirname "$0")/.."
muronet=.venv/bin/muronet
eval "$(scripts/lab-credentials.sh)"  # credentials from the environment, generated for the twin if unset
step() { printf '\n== %s\n' "$*"; }
step "validate the inventory";                  $muronet validate
step "render every device's intended configuration (secrets masked) into build/configs";
                                                $muronet render
step "NetBox: start the local NetBox (the first start installs it: ≈ 1–2 min, once)"
                                                $muronet netbox up
step "NetBox: sync the inventory into it";       $muronet netbox sync
step "NetBox: a second sync changes nothing";    $muronet netbox sync
step "topology diagrams from NetBox (one GraphQL query)"
                                                $muronet topology --source netbox
step "boot the twin: every routed device unconfigured, in its own network namespace"
                                                $muronet lab up
step "dry run: what provisioning would change";  $muronet provision --lab --no-diff
step "provision: commit, verify, confirm";       $muronet provision --lab --commit --no-diff
step "a second run changes nothing";             $muronet provision --lab --no-diff
step "zone verification on the running twin";   $muronet lab verify
step "what survives a failure: every single failure of a cable, router or line (N-1), offline"
                                                $muronet analyze --n-1
step "one of them in the twin: the west ring cut at FB-003, verified against the model, restored"
$muronet lab fail FB-003 && $muronet lab verify --fail FB-003 && $muronet lab restore FB-003 --wait 30
step "Ansible: the same provisioning as a playbook, dry run (two facilities)"
.venv/bin/ansible-playbook playbooks/provision.yml --check --diff --limit site_library,site_hospital
step "nightly job: back up every router into git (secrets masked), audit the security policy"
$muronet nightly --lab || echo "(the audit has findings: see the report)"
cat <<TEXT

The twin is still running (state: ${MURONET_LAB_STATE:-/var/tmp/muronet-lab}; credentials: build/lab.env).
  . build/lab.env && .venv/bin/muronet lab ssh library-rt1       log in to a router's CLI
  .venv/bin/muronet provision --lab --limit library-rt1          one device's diff (dry run)
  .venv/bin/muronet lab status | lab verify
  .venv/bin/muronet audit --live --lab                           audit the running twin, with drift
  build/nightly/report.html, report.pdf, build/backups/ (git)     the audit report (HTML, PDF) and the backups
  .venv/bin/muronet analyze --fail ch-agg1                       what one failure cuts and moves (offline)
  build/topology/index.html (offline page), *.svg, *.png, *.drawio   the diagrams from NetBox
  .venv/bin/ansible-playbook playbooks/provision.yml --check --diff   the same with Ansible (docs/guides/engineer.md, "Ansible")
  make lab-down                                                  stop the twin, leaving nothing behind
  make netbox-down                                               stop the local NetBox (http://127.0.0.1:8765)
TEXT
