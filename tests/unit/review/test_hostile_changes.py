"""A change under review is someone else's code: nothing in it runs in the reviewer's process.

Templates render in Jinja's sandbox on every path (render, review, provision, the Ansible steps);
symbolic links that lead out of the repository are refused with their path (exit 2), in the
working tree and in a revision's tree alike; git runs no program any git configuration names
(file-system monitor, hooks, external diff, text conversion, filters).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from support import REPO, edit

from muronet.ansible.config import intended
from muronet.render.engine import Renderer, RenderError

MARKER = "muronet-was-here"

# Server-side template injections, as an attacker writes them: each would run a command, read a
# file or reach the process's objects outside a sandbox. ``{marker}`` is a file the payload makes.
PAYLOADS = [
    "{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
    "{{{{ joiner.__init__.__globals__['os'].popen('touch {marker}').read() }}}}",
    "{{{{ lipsum.__globals__['os'].system('touch {marker}') }}}}",
    "{{{{ namespace.__init__.__globals__.os.system('touch {marker}') }}}}",
    "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}",
    "{{{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
    "{{{{ city|attr('__class__') }}}}",
    "{{{{ (city.items|attr('__self__')).clear() }}}}",
    "{{% set x = city.update({{'asn': 1}}) %}}{{{{ x }}}}",
    "{{{{ services.pop('ntp') }}}}",
    "{{% include '/etc/passwd' %}}",
    "{{% include '../inventory/city.yaml' %}}",
    "{{% import '../../../../etc/hostname' as h %}}",
    "{{{{ range.__call__.__globals__ }}}}",
    "{{{{ 'x'.format.__globals__ }}}}",
    "{{{{ '{{0.__class__}}'.format(city) }}}}",
    "{{{{ '%s'.__mod__(city) }}}}",
]


def _poisoned_repo(tmp_path: Path, payload: str) -> tuple[Path, Path]:
    """A copy of the repository's inventory and templates whose FRR base template holds ``payload``."""
    shutil.copytree(REPO / "inventory", tmp_path / "inventory")
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    marker = tmp_path / MARKER
    base = tmp_path / "templates" / "frr" / "base.j2"
    base.write_text(payload.format(marker=marker) + "\n" + base.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path / "inventory", marker


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_template_reaches_python_files_or_the_environment(payload, tmp_path, reference):
    inventory, marker = _poisoned_repo(tmp_path, payload)
    renderer = Renderer(reference, inventory.parent / "templates")
    device = next(d for d in reference.devices if d.platform == "frr")
    with pytest.raises(RenderError) as refused:
        renderer.render(device)
    assert device.name in str(refused.value)
    assert not marker.exists()


def test_a_sandboxed_template_cannot_change_what_the_next_device_renders_from(tmp_path, reference):
    inventory, _ = _poisoned_repo(tmp_path, "{{% if city.asn %}}{{% endif %}}")  # harmless: renders
    renderer = Renderer(reference, inventory.parent / "templates")
    devices = [d for d in reference.devices if d.platform == "frr"][:2]
    first = [renderer.render(d) for d in devices]
    base = inventory.parent / "templates" / "frr" / "base.j2"
    base.write_text("{% set _ = banner_lines.append('injected') %}\n" + base.read_text(encoding="utf-8"))
    poisoned = Renderer(reference, inventory.parent / "templates")
    with pytest.raises(RenderError, match=r"unsafe|immutable|append"):
        poisoned.render(devices[0])
    assert [renderer.render(d) for d in devices] == first


def test_a_context_holding_anything_but_plain_data_is_refused(reference, monkeypatch):
    from muronet.render.context import ContextBuilder

    real = ContextBuilder.build

    def with_an_object(self, device):
        return {**real(self, device), "leak": Path("/etc/passwd")}

    monkeypatch.setattr(ContextBuilder, "build", with_an_object)
    with pytest.raises(RenderError, match="leak is a PosixPath, not plain data"):
        Renderer(reference, REPO / "templates").render(reference.devices[0])


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_render_and_the_ansible_steps_refuse_a_hostile_template(payload, tmp_path, cli):
    inventory, marker = _poisoned_repo(tmp_path, payload)
    result = cli("render", "--inventory", str(inventory), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "template frr/" in result.output and "unsafe" in result.output
    with pytest.raises(RenderError):
        intended(inventory, "library-rt1", {})
    assert not marker.exists()


def _git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", *args],
                          check=True, capture_output=True, text=True, env=env).stdout


def _repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(REPO / "inventory", repo / "inventory")
    shutil.copytree(REPO / "templates", repo / "templates")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


@pytest.mark.parametrize("payload", [PAYLOADS[0], PAYLOADS[5]])
def test_a_reviewed_revision_with_a_hostile_template_blocks_and_runs_nothing(payload, tmp_path, cli):
    repo = _repository(tmp_path)
    marker = tmp_path / MARKER
    base = repo / "templates" / "frr" / "base.j2"
    base.write_text(payload.format(marker=marker) + "\n" + base.read_text(encoding="utf-8"), encoding="utf-8")
    _git(repo, "commit", "-qam", "a template that runs a command")
    for spec in ("main~1..main", "main~1.."):
        result = cli("review", "--inventory", str(repo / "inventory"), "--git", spec, "--out",
                     str(tmp_path / "out"), "--json")
        doc = json.loads(result.stdout)
        assert result.exit_code == 1 and doc["blocking"] and doc["risk"] == "critical", result.output
        assert any("unsafe" in e for e in doc["errors"]), doc["errors"]
    assert not marker.exists()


def _link(repo: Path, path: str, target: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, repo / path)


LINKS_OUT = [
    ("inventory/passwd.yaml", "/etc/passwd"),  # absolute
    ("inventory/up.yaml", "../../../../../../../etc/hostname"),  # relative, climbing out
    ("templates/frr/host.j2", "/etc/hostname"),
    ("inventory/folder", "/etc"),  # a folder
    ("templates/cisco_ios", "../../outside-templates"),  # a whole platform's templates
]


@pytest.mark.parametrize(("path", "target"), LINKS_OUT, ids=[p for p, _ in LINKS_OUT])
def test_a_link_out_of_the_repository_in_the_working_tree_is_refused_with_its_path(path, target, tmp_path, cli):
    repo = _repository(tmp_path)
    (tmp_path / "outside-templates").mkdir()
    if (repo / path).exists():
        shutil.rmtree(repo / path)
    _link(repo, path, target)
    inventory = str(repo / "inventory")
    reading = [["render", "--out", str(tmp_path / "r")], ["analyze"],
               ["review", "--git", "main..", "--out", str(tmp_path / "v")]]
    for args in [["validate"]] * path.startswith("inventory/") + reading:  # validate reads no template
        result = cli(*args, "--inventory", inventory)
        assert result.exit_code == 2, (args, result.output)
        assert f"{repo / path}: a symbolic link to {target}, outside the repository" in result.output, args


@pytest.mark.parametrize(("path", "target"), LINKS_OUT, ids=[p for p, _ in LINKS_OUT])
def test_a_link_out_of_the_repository_in_a_reviewed_commit_is_refused_with_its_path(path, target, tmp_path, cli):
    repo = _repository(tmp_path)
    if (repo / path).exists():
        shutil.rmtree(repo / path)
    _link(repo, path, target)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a link")
    shutil.rmtree(repo / "inventory")  # the working tree is not what is reviewed
    result = cli("review", "--inventory", str(repo / "inventory"), "--git", "main~1..main", "--out",
                 str(tmp_path / "v"))
    assert result.exit_code == 2, result.output
    assert f"{path}: a symbolic link to {target}, outside the repository" in result.output


def test_links_that_stay_inside_the_repository_are_read_as_their_targets(tmp_path, cli):
    repo = _repository(tmp_path)
    shutil.move(repo / "inventory" / "facilities" / "library.yaml", repo / "library.yaml")
    _link(repo, "inventory/facilities/library.yaml", "../../library.yaml")
    shutil.move(repo / "templates" / "frr", repo / "frr-templates")
    _link(repo, "templates/frr", "../frr-templates")
    edit(repo / "library.yaml", 'description: "光ファイバー to ch-agg1"',
         'description: "光ファイバー to ch-agg1 (link)"')
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "library and the FRR templates kept elsewhere in the repository")
    for spec in ("main~1..main", "main~1.."):
        result = cli("review", "--inventory", str(repo / "inventory"), "--git", spec, "--out",
                     str(tmp_path / "v"), "--json")
        doc = json.loads(result.stdout)
        assert result.exit_code == 0, result.output
        # one line out, one in
        assert [(d["device"], d["changed_lines"]) for d in doc["devices"]] == [("library-rt1", 2)]


def _script(path: Path, marker: Path) -> str:
    path.write_text(f"#!/bin/sh\ntouch {marker}/$(basename $0)\ncat\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_git_runs_no_program_of_the_repository_or_the_user_configuration(tmp_path, cli, monkeypatch):
    repo = _repository(tmp_path)
    marks = tmp_path / "marks"
    marks.mkdir()
    programs = {name: _script(tmp_path / name, marks) for name in
                ("fsmonitor", "external-diff", "textconv", "clean", "smudge", "process", "hook", "pager")}
    settings = {"core.fsmonitor": programs["fsmonitor"], "diff.external": programs["external-diff"],
                "diff.evil.textconv": programs["textconv"], "diff.evil.command": programs["external-diff"],
                "filter.evil.clean": programs["clean"], "filter.evil.smudge": programs["smudge"],
                "filter.evil.process": programs["process"], "core.hooksPath": str(tmp_path / "hooks"),
                "core.pager": programs["pager"]}
    (tmp_path / "hooks").mkdir()
    for hook in ("post-checkout", "pre-commit", "post-index-change"):
        shutil.copy(programs["hook"], tmp_path / "hooks" / hook)
    home = tmp_path / "home"
    home.mkdir()
    for key, value in settings.items():  # the repository's own configuration and the user's
        _git(repo, "config", key, value)
        subprocess.run(["git", "config", "--file", str(home / ".gitconfig"), key, value], check=True)
    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    edit(repo / "inventory" / "facilities" / "library.yaml", 'description: "光ファイバー to ch-agg1"',
         'description: "光ファイバー to ch-agg1 (filtered)"')
    _git(repo, "add", "-A", env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    _git(repo, "-c", "core.hooksPath=/dev/null", "commit", "-qm", "attributes", env={
        **os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    for leftover in marks.iterdir():  # what the set-up itself ran
        leftover.unlink()
    monkeypatch.setenv("HOME", str(home))
    for spec in ("main~1..main", "main~1.."):
        result = cli("review", "--inventory", str(repo / "inventory"), "--git", spec, "--out",
                     str(tmp_path / "v"), "--json")
        assert result.exit_code == 0, result.output
        assert [d["device"] for d in json.loads(result.stdout)["devices"]] == ["library-rt1"]
    assert sorted(p.name for p in marks.iterdir()) == []


@pytest.mark.parametrize("content", ["ospf_key: [unclosed s3cr3t-in-vault\n", "ospf_key: s3cr3t-in-vault\n\tbad: tab\n",
                                     "- s3cr3t-in-vault\n", "ospf_key: 'quote s3cr3t-in-vault\n"])
def test_an_error_about_a_vault_never_shows_its_decrypted_content(content, reference, monkeypatch, tmp_path):
    from ansible.parsing.vault import VaultLib
    from ansible.parsing.vault import VaultSecret as AnsibleVaultSecret

    from muronet.inventory import secrets as secrets_module
    from muronet.inventory.model import VaultSecret
    from muronet.inventory.secrets import ResolvedSecrets

    password = tmp_path / "vault-pass"
    password.write_text("pw\n")
    (tmp_path / "secrets.yml").write_bytes(VaultLib([("default", AnsibleVaultSecret(b"pw"))]).encrypt(content))
    monkeypatch.setenv("MURONET_VAULT_PASSWORD_FILE", str(password))
    secrets_module._vault_data.cache_clear()
    refs = {name: VaultSecret(vault="secrets.yml", key="ospf_key") for name in reference.city.secrets}
    with pytest.raises(RenderError, match="vault file") as refused:
        Renderer(reference, REPO / "templates", ResolvedSecrets(refs, tmp_path))
    assert "s3cr3t" not in str(refused.value)
    secrets_module._vault_data.cache_clear()


@pytest.mark.parametrize("args", [["render", "--out"], ["audit", "--from", "FOLDER", "--out"],
                                  ["review", "--before", "FOLDER", "--after", "FOLDER", "--out"],
                                  ["topology", "--source", "inventory", "--out"], ["backup", "--repo"],
                                  ["nightly", "--repo"], ["lab", "status", "--state"]])
def test_an_output_folder_that_is_a_file_or_under_one_is_a_clear_error(args, tmp_path, cli):
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "r1.cfg").write_text("hostname r1\n")
    a_file = tmp_path / "a-file"
    a_file.write_text("kept\n")
    args = [str(folder) if a == "FOLDER" else a for a in args]
    named = cli(*args, str(a_file))
    assert named.exit_code == 2 and "is a file" in named.output, named.output
    if args[0] in ("render", "audit", "review"):  # a folder under a file: the path and the system's reason
        under = cli(*args, str(a_file / "reports"))
        assert under.exit_code == 2 and f"{a_file / 'reports'}: Not a directory" in under.output, under.output
    assert a_file.read_text() == "kept\n"
