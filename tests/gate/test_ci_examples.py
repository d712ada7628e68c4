"""The shipped CI examples (GitHub Actions, GitLab CI, pre-commit) call `auditor gate` with options
it has, and the docs list exactly the checks that judge plans."""

from __future__ import annotations

import shlex

import pytest
import yaml

from auditor.checks import load_registry
from auditor.cli.gate import gate
from auditor.providers import discover_providers
from auditor.terraform import plan_checks_markdown

from .conftest import REPO


def _parses(command: str) -> None:
    args = shlex.split(command)
    assert args[:2] == ["auditor", "gate"], command
    gate.make_context("gate", args[2:])  # raises on an unknown option or a bad value


def _gate_commands(text: str) -> list[str]:
    out = []
    for value in _strings(yaml.safe_load(text)):
        if "auditor gate --" in value:  # a command, not a job's name
            out.append(value[value.index("auditor gate") :].replace("\n", " "))
    return out


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


@pytest.mark.parametrize("path", [".github/workflows/auditor-gate.yml", "docs/ci/gitlab-auditor-gate.yml"])
def test_ci_jobs_call_the_gate_with_real_options(path: str) -> None:
    commands = _gate_commands((REPO / path).read_text())
    assert commands, path
    for command in commands:
        _parses(command)
        assert "--out" in command


def test_pre_commit_hooks_take_the_changed_files_as_arguments() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"auditor-gate-manifests", "auditor-gate-plan"}
    for hook in hooks:
        assert hook["pass_filenames"] is True
        _parses(hook["entry"] + " a.yaml b.yaml")


def test_the_docs_list_the_checks_that_judge_plans() -> None:
    text = (REPO / "docs" / "gate.md").read_text()
    table = text.split("<!-- plan-checks:start -->\n", 1)[1].split("\n<!-- plan-checks:end -->", 1)[0]
    assert table == plan_checks_markdown(load_registry(), discover_providers())
