"""`auditor`: a thin command line over the library API. Only this module decides exit codes.

Exit codes:
    0  the scan ran and every check could be evaluated
    1  (reserved: gating on findings)
    2  usage or configuration error (bad flag, malformed config/snapshot/control file, lint failure)
    3  collection errors made some results `error` (the outputs are written all the same)
    4  internal error (a bug in auditor; AUDITOR_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import UnionType
from typing import Any, Union, cast, get_args, get_origin

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditor import scan as scan_api
from auditor.catalog import Library, coverage, lint, load_library
from auditor.checks import Registry, load_registry, params_markdown
from auditor.config import load_config, load_params
from auditor.contracts import check_reads, load_contracts
from auditor.data import data_dir
from auditor.errors import AuditorError, ConfigError, LintError, UsageError
from auditor.models import JSON, CollectionError, Framework, Severity, Snapshot
from auditor.providers import NullProgress, Progress, ProviderSpec, discover_providers
from auditor.results import ScanResult, read_results
from auditor.selection import CheckSelection
from auditor.snapshot import load_snapshot, save_snapshot
from auditor.version import __version__
from auditor.writers import WriteContext, check_formats, formats_help, write_formats

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_COLLECTION, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT

# soft_wrap: when stderr is not a terminal (CI logs), lines are not hard-wrapped at 80 columns
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


class _RichSteps:
    """Thread-safe Progress for collectors: a spinner with the latest step and a counter."""

    def __init__(self, progress: RichProgress, task: Any) -> None:
        self._progress, self._task, self._lock, self._n = progress, task, threading.Lock(), 0

    def step(self, message: str, advance: int = 1) -> None:
        with self._lock:
            self._n += advance
            self._progress.update(self._task, description=f"[{self._n}] {message}")


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Progress]:
    if quiet or not err_console.is_terminal:
        yield NullProgress()
        return
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as p:
        yield _RichSteps(p, p.add_task(label, total=None))


def _split(values: tuple[str, ...] | list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _frameworks(values: tuple[str, ...]) -> list[Framework] | None:
    names = _split(values)
    if not names:
        return None
    try:
        return list(dict.fromkeys(Framework(n.lower()) for n in names))
    except ValueError:
        raise UsageError(
            f"unknown framework in {', '.join(names)}; choose from {', '.join(f.value for f in Framework)}"
        ) from None


def _formats(values: tuple[str, ...], default: list[str]) -> list[str]:
    return check_formats(_split(values) or default)


def _selection(p: dict[str, Any], base: CheckSelection | None = None) -> CheckSelection:
    """--checks / --skip-checks / --min-severity, over what the config file selected."""
    base = base or CheckSelection()
    include = _split(p.get("checks")) or list(base.include)
    exclude = [*base.exclude, *_split(p.get("skip_checks"))]
    return CheckSelection.of(include, exclude, p.get("min_severity") or base.min_severity)


def _print_error(text: str) -> None:
    # markup off: messages quote user input and entries such as "targets[0]" or "[REDACTED]"
    err_console.print(f"error: {text}", soft_wrap=True, markup=False, highlight=False, style="red")


def _run(fn: Callable[[], int]) -> None:
    """Run a command body; typed errors become a message and their exit code."""
    try:
        code = fn()
    except LintError as exc:
        for p in exc.problems:
            _print_error(p)
        sys.exit(EXIT_USAGE)
    except AuditorError as exc:
        _print_error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a bug: say so, and keep exit code 1 free for the findings gate
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        err_console.print(
            f"internal error: {type(exc).__name__}: {exc} (set AUDITOR_DEBUG=1 for the traceback; please report it)",
            soft_wrap=True,
            markup=False,
            style="red",
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 ran fine; 2 usage or configuration error; "
    "3 collection errors made some results 'error' (outputs are still written); 4 internal error; "
    "130 interrupted.",
)
@click.version_option(__version__, prog_name="auditor")
@click.option("-v", "--verbose", count=True, help="More log detail on stderr (-v info, -vv debug).")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
    help="Log level on stderr (default warning); overrides -v.",
)
def main(verbose: int, log_level: str | None) -> None:
    """Compliance-as-code audit scanner: collect configuration read-only, evaluate checks,
    and report against SOC 2, HIPAA and ISO 27001 with traceable evidence."""
    level = log_level.upper() if log_level else ("WARNING", "INFO", "DEBUG")[min(verbose, 2)]
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )


# ---------------------------------------------------------------------------- scan


def _scan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.option(
            "--out",
            "-o",
            type=click.Path(path_type=Path),
            help="[required] Directory for results.json, report.html, evidence/.",
        ),
        click.option("--format", "formats", multiple=True, help=formats_help(["html", "json"])),
        click.option(
            "--framework",
            "frameworks",
            multiple=True,
            help="Limit to soc2, hipaa, iso27001 (comma-separated).",
        ),
        click.option(
            "--save-snapshot",
            is_flag=False,
            flag_value="",
            default=None,
            metavar="[PATH]",
            help="Also save the collected snapshot (to PATH, or OUT/snapshot). A path ending in .json or .json.gz saves one file.",
        ),
        click.option(
            "--checks",
            "checks",
            multiple=True,
            help="Run only these checks: ids or globs (aws.s3.*), comma-separated.",
        ),
        click.option(
            "--skip-checks",
            "skip_checks",
            multiple=True,
            help="Leave these checks out (ids or globs); they are reported as excluded, never as passing.",
        ),
        click.option(
            "--min-severity",
            type=click.Choice([s.value for s in Severity], case_sensitive=False),
            help="Leave out checks below this severity (reported as excluded).",
        ),
        click.option(
            "--params",
            "params_file",
            type=click.Path(path_type=Path),
            help="YAML file of check parameters (see `auditor checks params`).",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _merge_common(ctx: click.Context, **kw: Any) -> dict[str, Any]:
    """Options may be given before or after the provider name; the later one wins."""
    merged = dict(ctx.parent.params if ctx.parent else {})
    for k, v in kw.items():
        if v not in (None, (), False):
            merged[k] = v
    return merged


@main.group(invoke_without_command=True)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    help="audit.yaml listing the targets to scan.",
)
@click.option(
    "--from-snapshot",
    "snapshots",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Re-evaluate a saved snapshot offline (file or directory); may be repeated.",
)
@_scan_options
@click.pass_context
def scan(ctx: click.Context, /, config_path: Path | None, snapshots: tuple[Path, ...], **_: Any) -> None:
    """Collect and evaluate: `auditor scan PROVIDER [options] --out DIR`, or with --config, or offline with --from-snapshot."""
    if ctx.invoked_subcommand is not None:
        return
    p = ctx.params

    def body() -> int:
        if config_path and snapshots:
            raise UsageError(
                "--config collects live targets and --from-snapshot re-evaluates a saved snapshot: give one "
                "(to re-evaluate with the config's thresholds, pass them with --params FILE)"
            )
        if not config_path and not snapshots:
            raise UsageError("give a provider (auditor scan aws ...), --config FILE, or --from-snapshot PATH")
        if snapshots and p.get("save_snapshot") is not None:
            raise UsageError("--save-snapshot saves what a scan collects; --from-snapshot collects nothing")
        frameworks = _frameworks(p["frameworks"])
        lib_reg = _library_and_registry()
        registry = lib_reg[1]
        if config_path:
            cfg, targets = load_config(config_path, discover_providers(), registry)
            fws = frameworks or cfg.frameworks
            fmts = _formats(p["formats"], cfg.formats)
            params = {**cfg.params, **_params(p, registry)}
            selection = _selection(p, cfg.selection)
            selection.validate(registry)
            with _progress(p["quiet"], "collecting") as prog:
                snap = scan_api.collect(((t.spec, t.name, t.options) for t in targets), prog)
            return _evaluate_and_write(snap, p, fws, fmts, lib_reg, params=params, selection=selection)
        fmts = _formats(p["formats"], ["html", "json"])
        selection = _selection(p)
        selection.validate(registry)
        params = _params(p, registry)
        snap = _load_snapshots(snapshots)
        return _evaluate_and_write(
            snap, p, frameworks, fmts, lib_reg, params=params, selection=selection, from_snapshot=True
        )

    _run(body)


def _load_snapshots(paths: tuple[Path, ...]) -> Snapshot:
    snap = load_snapshot(paths[0])
    for extra in paths[1:]:
        snap = snap.merge(load_snapshot(extra))
    return snap


def _params(p: dict[str, Any], registry: Registry) -> dict[str, JSON]:
    path = p.get("params_file")
    return load_params(path, registry) if path else {}


def _evaluate_and_write(
    snap: Snapshot,
    p: dict[str, Any],
    frameworks: list[Framework] | None,
    formats: list[str],
    lib_reg: tuple[Library, Registry],
    *,
    params: dict[str, Any] | None = None,
    selection: CheckSelection | None = None,
    from_snapshot: bool = False,
) -> int:
    out: Path | None = p.get("out")
    if out is None:
        raise UsageError("--out DIR is required")
    library, registry = lib_reg
    with _progress(p["quiet"], "evaluating") as prog:
        result = scan_api.evaluate_snapshot(
            snap,
            library=library,
            registry=registry,
            frameworks=frameworks,
            params=params,
            selection=selection,
            progress=lambda i, n: prog.step(f"evaluating checks {i}/{n}", 0),
        )
    scan_api.write_outputs(result, out, formats, snapshot=snap, library=library)
    if p.get("save_snapshot") is not None and not from_snapshot:
        target = Path(p["save_snapshot"]) if p["save_snapshot"] else out / "snapshot"
        save_snapshot(snap, target)
    if not p["quiet"]:
        _print_summary(result, out, formats)
    if result.errors and not p["quiet"]:
        _print_collection_errors(result.errors)
    if not from_snapshot and not snap.resources and snap.errors:
        # nothing at all could be read: missing credentials, kubeconfig, token, or no reachable target
        _print_error(
            "nothing could be scanned (see the collection errors above); outputs were written to " + str(out)
        )
        return EXIT_USAGE
    return EXIT_COLLECTION if result.has_collection_errors else EXIT_OK


def _library_and_registry() -> tuple[Library, Registry]:
    library, registry = load_library(), load_registry()
    problems = lint(library, registry)
    if problems:
        raise LintError(problems)
    return library, registry


def _print_collection_errors(errors: list[CollectionError]) -> None:
    """Collection errors, counted and grouped by provider, kind and operation, on stderr."""
    groups: dict[tuple[str, str, str], list[CollectionError]] = {}
    for e in errors:
        groups.setdefault((e.provider, e.kind.value, e.operation), []).append(e)
    err_console.print(
        f"{len(errors)} collection error(s); the checks over what they left unread report 'error':",
        style="yellow",
        markup=False,
        highlight=False,
    )
    for (provider, kind, operation), items in sorted(groups.items()):
        scopes = sorted({e.scope_label for e in items})
        shown = ", ".join(scopes[:3]) + (f" and {len(scopes) - 3} more" if len(scopes) > 3 else "")
        err_console.print(
            f"  {provider} {kind} x{len(items)} {operation} ({shown}): {items[0].message}",
            markup=False,
            highlight=False,
        )


def _print_summary(result: ScanResult, out: Path, formats: list[str]) -> None:
    s = result.summary
    f = s.findings
    err_console.print(
        f"{sum(f.values())} findings: {f.get('fail', 0)} fail, {f.get('error', 0)} error, {f.get('pass', 0)} pass, "
        f"{f.get('not_applicable', 0)} not applicable; {s.collection_errors} collection errors",
        highlight=False,
    )
    for fw, counts in s.controls.items():
        parts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
        err_console.print(f"  {fw}: {parts}", highlight=False)
    if result.exclusions:
        n = len({x.check_id for x in result.exclusions})
        err_console.print(
            f"{n} check(s) excluded on purpose (not evaluated, never counted as passing; see results.json 'exclusions')",
            highlight=False,
        )
    if "html" in formats:
        err_console.print(f"Report: {out / 'report.html'}", highlight=False, soft_wrap=True)
    err_console.print(f"Results: {out / 'results.json'}", highlight=False, soft_wrap=True)


_COMMON = (
    "out",
    "formats",
    "frameworks",
    "save_snapshot",
    "quiet",
    "checks",
    "skip_checks",
    "min_severity",
    "params_file",
)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, is_list) for the option types providers use."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else (str, False)
    if origin in (list, tuple, set, frozenset):
        return (get_args(annotation) or (str,))[0], True
    return annotation, False


def _provider_command(spec: ProviderSpec) -> click.Command:
    """A `scan <provider>` subcommand whose flags are the provider's option model fields."""

    def callback(**kw: Any) -> None:
        ctx = click.get_current_context()
        p = _merge_common(ctx, **{k: kw.pop(k) for k in _COMMON})

        def body() -> int:
            values: dict[str, Any] = {}
            for name, value in kw.items():
                field = spec.options.model_fields[name]
                _, is_list = _unwrap(field.annotation)
                if is_list:
                    if value:
                        values[name] = _split(value)
                elif value is not None:
                    values[name] = value
            try:
                options = spec.options.model_validate(values)
            except ValidationError as exc:
                e = exc.errors()[0]
                raise UsageError(
                    f"--{'-'.join(str(x) for x in e['loc']).replace('_', '-')}: {e['msg']}"
                ) from None
            lib_reg = _library_and_registry()
            registry = lib_reg[1]
            fmts = _formats(p["formats"], ["html", "json"])
            selection = _selection(p)
            selection.validate(registry)
            params = _params(p, registry)
            with _progress(p["quiet"], f"collecting {spec.name}") as prog:
                snap = scan_api.collect([(spec, spec.name, options)], prog)
            return _evaluate_and_write(
                snap, p, _frameworks(p["frameworks"]), fmts, lib_reg, params=params, selection=selection
            )

        _run(body)

    params: list[click.Parameter] = []
    for name, field in spec.options.model_fields.items():
        inner, is_list = _unwrap(field.annotation)
        flag = "--" + name.replace("_", "-")
        help_text = field.description or ""
        if inner is bool and not is_list:
            params.append(
                click.Option([f"{flag}/--no-{name.replace('_', '-')}"], default=None, help=help_text)
            )
        elif is_list:
            params.append(
                click.Option([flag, name], multiple=True, help=help_text + " (comma-separated or repeated)")
            )
        else:
            ptype: Any = {int: click.INT, float: click.FLOAT}.get(inner, click.STRING)
            params.append(click.Option([flag, name], type=ptype, default=None, help=help_text))
    cmd = click.Command(spec.name, callback=callback, params=params, help=f"Scan {spec.title}.")
    return cast(click.Command, _scan_options(cmd))


def _register_providers() -> None:
    for spec in discover_providers().values():
        scan.add_command(_provider_command(spec))


# -------------------------------------------------------------------------- report


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, help=formats_help(["html"]))
def report(directory: Path, formats: tuple[str, ...]) -> None:
    """Re-render reports from a saved results directory."""

    def body() -> int:
        result = read_results(directory)
        fmts = _formats(formats, ["html"])
        out = directory if directory.is_dir() else directory.parent
        written = write_formats(WriteContext(result=result, library=load_library(), out=out), fmts)
        for path in written.values():
            click.echo(str(path))
        return EXIT_OK

    _run(body)


# -------------------------------------------------------------------------- checks


@main.group()
def checks() -> None:
    """Browse the registered checks: metadata, attributes read, parameters, controls."""


def _checks_fmt(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")(f)


def _controls_of(lib: Library, check_id: str) -> dict[str, list[str]]:
    entry = lib.crosswalk.get(check_id)
    out: dict[str, list[str]] = {fw.value: [] for fw in Framework}
    for fw, cid in entry.items() if entry else ():
        out[fw.value].append(cid)
    return out


@checks.command("list")
@click.option("--provider", help="Only this provider's checks.")
@_checks_fmt
def checks_list(provider: str | None, fmt: str) -> None:
    """List every check: id, severity, resource types, title."""

    def body() -> int:
        rows = [c for c in load_registry() if provider is None or c.meta.provider == provider]
        if provider and not rows:
            raise UsageError(f"no checks for provider {provider!r}")
        if fmt == "json":
            click.echo(json.dumps([c.meta.model_dump(mode="json") for c in rows], indent=2))
            return EXIT_OK
        table = Table("id", "severity", "resource types", "title", box=None)
        for c in rows:
            table.add_row(c.id, c.meta.severity.value, ", ".join(c.meta.resource_types), c.meta.title)
        Console(soft_wrap=False, width=200).print(table)
        return EXIT_OK

    _run(body)


@checks.command("show")
@click.argument("check_id")
@_checks_fmt
def checks_show(check_id: str, fmt: str) -> None:
    """One check: metadata, the attributes it reads, its parameters and its controls."""

    def body() -> int:
        registry, lib, contracts = load_registry(), load_library(), load_contracts()
        check = registry.get(check_id)
        if check is None:
            raise UsageError(f"no check {check_id!r} (see `auditor checks list`)")
        m = check.meta
        reads = sorted(check_reads(check), key=lambda r: (not r.own, r.type_ or "", r.key))
        attrs = []
        for r in reads:
            types = list(m.resource_types) if r.own else ([r.type_] if r.type_ else [])
            meaning = next(
                (
                    found.meaning
                    for t in types
                    if (contract := contracts.get(t)) and (found := contract.attributes.get(r.key))
                ),
                "",
            )
            attrs.append({"attribute": r.key, "of": " / ".join(types) or "(related)", "meaning": meaning})
        controls = _controls_of(lib, m.id)
        if fmt == "json":
            doc = m.model_dump(mode="json") | {"reads": attrs, "controls": controls}
            click.echo(json.dumps(doc, indent=2))
            return EXIT_OK
        click.echo(f"{m.id}: {m.title}")
        click.echo(f"  severity: {m.severity.value}   provider: {m.provider}")
        click.echo(f"  resource types: {', '.join(m.resource_types)}")
        click.echo(f"  rationale: {m.rationale}")
        click.echo(f"  remediation: {m.remediation}")
        click.echo("  reads:" if attrs else "  reads: (no attribute read statically)")
        for a in attrs:
            click.echo(f"    - {a['of']}.{a['attribute']}" + (f": {a['meaning']}" if a["meaning"] else ""))
        click.echo("  parameters:" if m.params else "  parameters: none")
        for prm in m.params:
            click.echo(f"    - {prm.name} ({prm.type}, default {json.dumps(prm.default)}): {prm.meaning}")
        click.echo("  controls:")
        for fw, ids in controls.items():
            click.echo(f"    {fw}: {', '.join(ids) or '-'}")
        for ref in m.references:
            click.echo(f"  reference: {ref}")
        return EXIT_OK

    _run(body)


@checks.command("params")
@click.option("--provider", help="Only this provider's parameters.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def checks_params(provider: str | None, fmt: str) -> None:
    """Every declared check parameter: name, type, default, meaning, checks reading it."""

    def body() -> int:
        registry = load_registry()
        specs = [
            p for p in registry.params().values() if provider is None or p.name.startswith(provider + ".")
        ]
        if fmt == "json":
            click.echo(
                json.dumps(
                    [p.model_dump(mode="json") | {"checks": registry.checks_reading(p.name)} for p in specs],
                    indent=2,
                )
            )
        elif fmt == "markdown":
            click.echo(params_markdown(registry, provider))
        else:
            table = Table("name", "type", "default", "meaning", box=None)
            for prm in specs:
                table.add_row(prm.name, prm.type, json.dumps(prm.default), prm.meaning)
            Console(soft_wrap=False, width=200).print(table)
        return EXIT_OK

    _run(body)


# ------------------------------------------------------------------------ controls


@main.group()
def controls() -> None:
    """Browse and validate the control library."""


def _fw_option(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")(f)
    return click.option(
        "--framework",
        "framework",
        multiple=True,
        help="Limit to soc2, hipaa, iso27001 (comma-separated, any case).",
    )(f)


@controls.command("list")
@_fw_option
def controls_list(framework: tuple[str, ...], fmt: str) -> None:
    """List controls with their automation and mapped checks."""

    def body() -> int:
        lib = load_library()
        fws = _frameworks(framework)
        rows = [c for c in lib.controls.values() if fws is None or c.framework in fws]
        if fmt == "json":
            click.echo(json.dumps([c.model_dump(mode="json") for c in rows], indent=2))
            return EXIT_OK
        table = Table("framework", "id", "title", "automation", "checks", box=None)
        for c in rows:
            table.add_row(
                c.framework.value, c.id, c.title, c.automation, str(len(c.checks)) if c.checks else "manual"
            )
        Console(soft_wrap=False, width=200).print(table)
        return EXIT_OK

    _run(body)


@controls.command("show")
@click.argument("control_id")
@_fw_option
def controls_show(control_id: str, framework: tuple[str, ...], fmt: str) -> None:
    """Show one control: objective, checks, manual evidence request."""

    def body() -> int:
        lib, reg = load_library(), load_registry()
        fws = _frameworks(framework)
        found = [c for c in lib.find(control_id) if fws is None or c.framework in fws]
        if not found:
            where = f" in {', '.join(f.value for f in fws)}" if fws else ""
            raise UsageError(f"no control {control_id!r}{where}")
        if fmt == "json":
            click.echo(json.dumps([c.model_dump(mode="json") for c in found], indent=2))
            return EXIT_OK
        for c in found:
            click.echo(f"{c.framework.value} {c.id}: {c.title}")
            if c.requirement:
                click.echo(f"  requirement: {c.requirement}" + (f" (under {c.parent})" if c.parent else ""))
            click.echo(f"  automation: {c.automation}")
            click.echo(f"  objective: {c.objective}")
            click.echo("  checks:" if c.checks else "  checks: none (manual evidence only)")
            for cid in c.checks:
                chk = reg.get(cid)
                click.echo(f"    - {cid}: {chk.meta.title if chk else '(not registered)'}")
            click.echo(f"  evidence to request: {c.evidence_request}")
        return EXIT_OK

    _run(body)


@controls.command("coverage")
@_fw_option
def controls_coverage(framework: tuple[str, ...], fmt: str) -> None:
    """Per framework: total controls, automated, manual, and the checks behind them."""

    def body() -> int:
        lib = load_library()
        cov = coverage(lib, _frameworks(framework))
        if fmt == "json":
            click.echo(json.dumps({"frameworks": cov}, indent=2))
            return EXIT_OK
        table = Table("framework", "controls", "automated", "manual", "checks", box=None)
        for row in cov:
            table.add_row(
                row["framework"],
                str(row["total"]),
                str(row["automated"]),
                str(row["manual"]),
                str(len(row["checks"])),
            )
        Console().print(table)
        return EXIT_OK

    _run(body)


@controls.command("lint")
@_fw_option
def controls_lint(framework: tuple[str, ...], fmt: str) -> None:
    """Validate control files, the crosswalk and the check registry against each other."""

    def body() -> int:
        try:
            problems = lint(load_library(), load_registry())
        except ConfigError as exc:
            problems = [str(exc)]
        except LintError as exc:
            problems = exc.problems
        if fmt == "json":
            click.echo(json.dumps({"ok": not problems, "problems": problems}, indent=2))
        elif problems:
            for p in problems:
                _print_error(p)
        else:
            click.echo("control library OK")
        return EXIT_USAGE if problems else EXIT_OK

    _run(body)


# ---------------------------------------------------------------------------- demo


@main.command()
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("out/demo"), show_default=True)
@click.option("--format", "formats", multiple=True, help=formats_help(["html", "json", "csv"]))
@click.option("-q", "--quiet", is_flag=True)
def demo(out: Path, formats: tuple[str, ...], quiet: bool) -> None:
    """Evaluate the bundled sample estate (no credentials, no network) and write the report."""

    def body() -> int:
        root = data_dir("demo")
        files = sorted(p for p in root.glob("*.json*") if p.is_file())
        if not files:
            raise UsageError(f"no demo snapshots in {root}")
        snap = _load_snapshots(tuple(files))
        p = {"out": out, "quiet": quiet, "save_snapshot": None}
        fmts = _formats(formats, ["html", "json", "csv"])
        _evaluate_and_write(snap, p, None, fmts, _library_and_registry(), from_snapshot=True)
        if not quiet:
            click.echo(f"Demo report: {(out / 'report.html').resolve()}")
        # The demo estate records deliberate collection errors to show them; that is not a failure.
        return EXIT_OK

    _run(body)


_register_providers()


if __name__ == "__main__":  # pragma: no cover
    main()
