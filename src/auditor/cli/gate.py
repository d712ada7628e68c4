"""`auditor gate`: judge Terraform plans and Kubernetes manifests before they are applied.

The same checks and control mapping as a live scan. Exit codes:
    0  nothing fails the gate
    1  a failing finding at or above --fail-on (not waived, not in the baseline), or an `error`
       finding (unless --allow-errors)
    2  an unreadable or malformed input (plan, manifest, waivers, baseline, params), or bad usage
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor import scan as scan_api
from auditor.baseline import BaselineStage, load_baseline, write_baseline
from auditor.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    err_console,
    library_and_registry,
    parse_formats,
    parse_frameworks,
    run_command,
    split_list,
)
from auditor.config import load_params
from auditor.errors import UsageError
from auditor.gating import GatePolicy, check_inputs, decide, record
from auditor.models import Severity, Snapshot
from auditor.providers import discover_providers
from auditor.stages import Stage
from auditor.terraform import plan_snapshot
from auditor.version import __version__
from auditor.waivers import DEFAULT_MAX_DAYS, WaiverStage, load_waivers
from auditor.writers import formats_help

GATE_FORMATS = ["json", "sarif", "junit", "markdown", "html"]
MANIFEST_PROVIDER = "k8s"  # the provider whose option `manifests` reads Kubernetes manifests


def _manifests(paths: list[str]) -> Snapshot:
    spec = discover_providers().get(MANIFEST_PROVIDER)
    if spec is None:
        raise UsageError("--manifests needs the Kubernetes provider, which is not available")
    options = spec.options.model_validate({"manifests": paths})
    return scan_api.collect([(spec, "manifests", options)])


@click.command()
@click.option(
    "--plan",
    "plans",
    multiple=True,
    type=click.Path(path_type=Path),
    help="`terraform show -json` output; may be repeated.",
)
@click.option(
    "--tf-root",
    type=click.Path(path_type=Path, file_okay=False),
    help="Terraform working directory the plans were made in, to find the .tf lines (default: each plan's directory).",
)
@click.option(
    "--manifests",
    "manifests",
    multiple=True,
    help="Kubernetes manifest files or directories ('-' for stdin); may be repeated or comma-separated.",
)
@click.option(
    "--fail-on",
    type=click.Choice([s.value for s in Severity], case_sensitive=False),
    default="high",
    show_default=True,
    help="Fail on failing findings at or above this severity.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="An earlier results.json or a --write-baseline file: only new failures fail.",
)
@click.option(
    "--waivers",
    "waivers_file",
    type=click.Path(path_type=Path),
    help="YAML file of waivers (check, resource, reason, approver, expires).",
)
@click.option(
    "--waiver-max-days",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_DAYS,
    show_default=True,
    help="Latest a waiver may expire, in days after the scan.",
)
@click.option("--allow-errors", is_flag=True, help="Do not fail on findings that could not be evaluated.")
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path),
    help="Also write every current failure's key to FILE.",
)
@click.option("--format", "formats", multiple=True, help=formats_help(GATE_FORMATS))
@click.option(
    "--framework", "frameworks", multiple=True, help="Limit to soc2, hipaa, iso27001 (comma-separated)."
)
@click.option(
    "--params", "params_file", type=click.Path(path_type=Path), help="YAML file of check parameters."
)
@click.option("--out", "-o", type=click.Path(path_type=Path), help="[required] Directory for the outputs.")
@click.option(
    "--paths-are",
    type=click.Choice(["manifests", "plans"]),
    default="manifests",
    show_default=True,
    help="What the PATH arguments are (pre-commit passes the changed files as arguments).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def gate(**p: Any) -> None:
    """Judge Terraform plans and Kubernetes manifests with the same checks as live scans.

    Exit 0 when nothing fails the gate, 1 on a failing finding at or above --fail-on (not waived,
    not in the baseline) or an error finding (unless --allow-errors), 2 on an unreadable or
    malformed input, waiver or baseline file."""
    run_command(lambda: _run(p))


def _run(p: dict[str, Any]) -> int:
    out: Path | None = p["out"]
    if out is None:
        raise UsageError("--out DIR is required")
    plans: list[Path] = list(p["plans"])
    manifests = split_list(p["manifests"])
    if p["paths_are"] == "plans":
        plans += list(p["paths"])
    else:
        manifests += [str(x) for x in p["paths"]]
    if not plans and not manifests:
        raise UsageError("give at least one --plan PLAN.json or --manifests PATH")
    formats = parse_formats(p["formats"], GATE_FORMATS)
    library, registry = library_and_registry()
    params = load_params(p["params_file"], registry) if p["params_file"] else {}
    waivers = load_waivers(p["waivers_file"]) if p["waivers_file"] else []
    baseline = load_baseline(p["baseline"]) if p["baseline"] else None
    providers = discover_providers()
    snapshot = Snapshot(tool_version=__version__)
    if plans:
        snapshot = plan_snapshot(plans, providers, root=p["tf_root"], tool_version=__version__)
    if manifests:
        found = _manifests(manifests)
        snapshot = found if not plans else snapshot.merge(found)
    check_inputs(snapshot)
    stages: list[Stage] = []
    if waivers:
        stages.append(WaiverStage(waivers, p["waiver_max_days"]))
    if baseline is not None:
        stages.append(BaselineStage(baseline))
    result = scan_api.evaluate_snapshot(
        snapshot,
        library=library,
        registry=registry,
        frameworks=parse_frameworks(p["frameworks"]),
        params=params,
        stages=stages,
        providers=providers,
    )
    decision = decide(result, GatePolicy(Severity(p["fail_on"].lower()), p["allow_errors"]))
    record(result, decision)
    scan_api.write_outputs(result, out, formats, snapshot=snapshot, library=library)
    if p["write_baseline"]:
        write_baseline(result.findings, p["write_baseline"], snapshot.created_at)
    if not p["quiet"]:
        err_console.print(decision.summary_line(), markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK if decision.passed else EXIT_FINDINGS
