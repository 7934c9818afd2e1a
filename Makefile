# Quick start: `make demo` (set up, then run the main job on the built-in city) and `make test`.
# A contributor's fast loop: `make unit` (no root, no twin, no NetBox, no browser).
# Debian's own Python by default; any Python 3.11+ will do: `make unit PYTHON=python3.12`.
PYTHON ?= /usr/bin/python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup unit docs driver demo lab-down netbox-down netbox-schema topology test lint bench bench-lab bench-netbox bench-ansible bench-pages bench-analysis bench-failures clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

VAULT := playbooks/group_vars/all/vault.yml
VAULT_PASSWORD := build/ansible-vault-password

# The playbooks' vault: the twin's credentials and secrets (build/lab.env), encrypted with
# build/ansible-vault-password. Production teams write their own (docs/guides/engineer.md, "Ansible").
$(VAULT): $(STAMP) inventory/city.yaml $(VAULT_PASSWORD)
	eval "$$(scripts/lab-credentials.sh)" >/dev/null && $(BIN)/muronet ansible-vault --out $@ \
	  --password-file $(VAULT_PASSWORD)

# muronet ansible-vault makes it; when it is missing (a fresh clone, make clean) the vault is remade.
$(VAULT_PASSWORD): ;

## setup: system packages (FRR for config checks), the project in .venv, the playbooks' vault
# The project's bytecode is compiled as pip compiles an installed package's (an editable install is
# not): every muronet run otherwise compiles what it imports where PYTHONDONTWRITEBYTECODE is set.
setup: $(STAMP) $(VAULT)
	@scripts/install-system-packages.sh
	@$(BIN)/python -m compileall -q muronet napalm_frr >/dev/null

## demo: set up, boot the city's digital twin, provision it from scratch, verify the zones, leave it running
demo: setup
	scripts/demo.sh

## lab-down: stop the twin the demo left running (every process by its PID, every namespace and mount)
lab-down: setup
	$(BIN)/muronet lab down

## netbox-down: stop the local NetBox the demo left running (by PID; its database stays for a quick restart)
netbox-down: setup
	$(BIN)/muronet netbox down

## netbox-schema: after NETBOX_VERSION changes, migrate a new NetBox database and ship its dump (muronet/netbox/data)
netbox-schema: setup
	$(BIN)/python -c "from muronet.netbox.service import make_shipped_dump; print(make_shipped_dump())"

## topology: the fiber map of topology/fiber.mmd, from the inventory (make test checks it is current)
topology: setup
	$(BIN)/muronet topology --source inventory --views physical --format mermaid --out topology

## unit: the unit tier (tests/unit and the doctests) with coverage: the venv only, no root, no system packages
unit: $(STAMP)
	scripts/unit-tests.sh

## test: everything: lint and types, the documentation site, the unit tier (as an unprivileged user
## when run as root; its coverage is make unit's), then the integration tier (the twin, NetBox, the browser, the fake IOS)
test: setup lint docs
	scripts/unit-tests.sh --no-cov  # coverage slows the tier by half: make unit measures and shows it
	$(BIN)/python -m pytest -n 2 --durations=12 tests/integration

## lint: ruff, the layer contracts of pyproject.toml, and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## driver: the NAPALM driver as a wheel of its own (napalm-frr), into build/dist, for hosts without muronet
driver: $(STAMP)
	PYTHON=$(BIN)/python scripts/build-driver.sh build/dist

## docs: the documentation site (docs/, mkdocs.yml) into build/site; a broken link or reference fails it
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir build/site

## bench: rendering (10,000-device city, beside Ansible), the twin (beside frr-reload), the audit (beside netlint),
## a 10,000-entry ACL (beside the line-by-line search), NetBox (sync of the city; topology of 1,000 devices by
## GraphQL beside REST), a 1,000-device audit report in Chromium, the offline analysis (1,000 devices, beside the twin's lab verify), the playbooks (beside muronet)
bench: setup
	$(BIN)/python bench/render_bench.py
	$(BIN)/python bench/lab_bench.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/acl_bench.py
	$(BIN)/python bench/netbox_bench.py
	$(BIN)/python bench/pages_bench.py
	$(BIN)/python bench/analysis_bench.py --twin
	$(BIN)/python bench/failures_bench.py --twin
	$(BIN)/python bench/ansible_bench.py

bench-ansible: setup
	$(BIN)/python bench/ansible_bench.py

bench-netbox: setup
	$(BIN)/python bench/netbox_bench.py

bench-lab: setup
	$(BIN)/python bench/lab_bench.py

bench-pages: setup
	$(BIN)/python bench/pages_bench.py

bench-analysis: setup
	$(BIN)/python bench/analysis_bench.py --twin

bench-failures: setup
	$(BIN)/python bench/failures_bench.py --twin

clean:
	rm -rf build .pytest_cache .ruff_cache
