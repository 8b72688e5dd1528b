"""The README is the contract with a newcomer: its commands exist and its examples run."""

import json
import re
import shlex
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def test_every_command_is_in_the_readme():
    missing = [c for c in _commands(get_command(app)) if f"`{c}" not in README]
    assert missing == []


def test_the_two_commands_are_in_the_readme_and_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert f"make {target}" in README
        assert re.search(rf"^{target}:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_readme_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    examples = re.findall(r"^\$ partnermap (.+)$", README, re.M)
    assert len(examples) >= 6
    for line in examples:
        args = [str(tmp_path / "graph") if a == "data/graph" else a for a in shlex.split(line)]
        args = [str(tmp_path / "out.ttl") if a == "out/partnermap.ttl" else a for a in args]
        args = [str(tmp_path / Path(a).name) if a.startswith("out/") else a for a in args]
        done = runner.invoke(app, args)
        assert done.exit_code == 0, f"README example failed: partnermap {line}\n{done.output}"
        if "--format" in args and "json" in args:
            json.loads(done.stdout)
