"""`auditor scan`: collect and evaluate (a provider, a config, or saved snapshots)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import UnionType
from typing import Any, Union, cast, get_args, get_origin

import click
from pydantic import ValidationError

from auditor import scan as scan_api
from auditor.attestations import Attestations, load_attestations
from auditor.catalog import Library
from auditor.checks import Registry
from auditor.cli.common import (
    EXIT_COLLECTION,
    EXIT_OK,
    EXIT_USAGE,
    err_console,
    library_and_registry,
    load_snapshots,
    parse_formats,
    parse_frameworks,
    parse_selection,
    print_error,
    progress_display,
    run_command,
    split_list,
)
from auditor.cli.publish import OPTIONS as PUBLISH_OPTIONS
from auditor.cli.publish import RUN_ID_OPTION, SHARD_OPTION, Publisher, publish_options
from auditor.config import config_waivers, load_config, load_params
from auditor.errors import UsageError
from auditor.inputs import read_json_object
from auditor.merge import targets_digest
from auditor.models import JSON, CollectionError, Framework, Severity, Snapshot
from auditor.package import stray_files
from auditor.providers import ProviderSpec, discover_providers
from auditor.results import ScanResult
from auditor.selection import CheckSelection
from auditor.signing import KeyFileSigner, Signer, VaultTransitSigner
from auditor.snapshot import save_snapshot
from auditor.stages import NO_CHECK, Stage
from auditor.waivers import DEFAULT_MAX_DAYS, Waiver, WaiverStage, load_waivers
from auditor.writers import formats_help

# ---------------------------------------------------------------------------- scan


def _scan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    opts: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
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
        click.option(
            "--waivers",
            "waivers_file",
            type=click.Path(path_type=Path),
            help="YAML file of waivers: failures accepted as exceptions (they stay fail, marked waived).",
        ),
        *package_options(),
        click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr."),
        SHARD_OPTION,
        RUN_ID_OPTION,
    ]
    for o in reversed(opts):
        f = o(f)
    return publish_options(f)


def package_options() -> list[Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """--attestations, --sign-key and --sign-with-vault: shared by scans and the demo."""
    return [
        click.option(
            "--attestations",
            "attestations_file",
            type=click.Path(path_type=Path),
            help="attestations.yaml: evidence for the manual part of controls (docs/evidence.md).",
        ),
        click.option(
            "--sign-key",
            type=click.Path(path_type=Path),
            help="Sign evidence/manifest.json with this Ed25519 private key (PEM).",
        ),
        click.option(
            "--sign-with-vault",
            metavar="MOUNT/keys/NAME",
            help="Sign through Vault's transit engine (an ed25519 key; VAULT_ADDR, VAULT_TOKEN).",
        ),
    ]


def signer_from(p: dict[str, Any]) -> Signer | None:
    """The signer the options ask for, checked before anything is collected or written."""
    key, vault = p.get("sign_key"), p.get("sign_with_vault")
    if key and vault:
        raise UsageError("--sign-key and --sign-with-vault both sign the manifest: give one")
    signer: Signer | None = None
    if key:
        signer = KeyFileSigner(Path(key))
    elif vault:
        signer = VaultTransitSigner(str(vault))
    if signer is not None:
        signer.check()
    return signer


def _merge_common(ctx: click.Context, **kw: Any) -> dict[str, Any]:
    """Options may be given before or after the provider name; the later one wins."""
    merged = dict(ctx.parent.params if ctx.parent else {})
    for k, v in kw.items():
        if v not in (None, (), False):
            merged[k] = v
    return merged


@click.group(invoke_without_command=True)
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
        if not config_path and not snapshots:
            raise UsageError("give a provider (auditor scan aws ...), --config FILE, or --from-snapshot PATH")
        if snapshots and p.get("save_snapshot") is not None:
            raise UsageError("--save-snapshot saves what a scan collects; --from-snapshot collects nothing")
        if snapshots and p.get("shard"):
            raise UsageError("--shard splits collection; to join shard outputs use `auditor merge`")
        frameworks = parse_frameworks(p["frameworks"])
        lib_reg = library_and_registry()
        registry = lib_reg[1]
        if config_path and snapshots:
            # re-evaluate a saved snapshot with the job's own settings: the same thresholds, frameworks,
            # selection, waivers and attestations; the config's targets are not collected
            cfg, _targets = load_config(config_path, discover_providers(), registry)
            if not p["quiet"]:
                err_console.print(
                    f"re-evaluating the snapshot with the parameters, frameworks, selection, waivers and "
                    f"attestations of {config_path}; its targets are not scanned"
                    + (
                        ", and its store and metrics are not written (a re-evaluation is not a new scan; "
                        "give --store, --metrics-file or --pushgateway to write them)"
                        if any(getattr(cfg, name) and not p.get(name) for name in PUBLISH_OPTIONS)
                        else ""
                    ),
                    markup=False,
                    highlight=False,
                )
            selection = parse_selection(p, cfg.selection)
            selection.validate(registry)
            return evaluate_and_write(
                load_snapshots(snapshots),
                p,
                frameworks or cfg.frameworks,
                parse_formats(p["formats"], cfg.formats),
                lib_reg,
                params={**cfg.params, **_params(p, registry)},
                selection=selection,
                stages=_waiver_stages(p, config_waivers(cfg, config_path), cfg.waiver_max_days),
                from_snapshot=True,
                **package_inputs(
                    p, lib_reg[0], config_path.parent / cfg.attestations if cfg.attestations else None
                ),
            )
        if config_path:
            cfg, targets = load_config(config_path, discover_providers(), registry)
            for name in PUBLISH_OPTIONS:  # store / metrics_file / pushgateway from audit.yaml
                if not p.get(name) and getattr(cfg, name):
                    p[name] = getattr(cfg, name)
            shard = Publisher.from_params(p).shard
            fws = frameworks or cfg.frameworks
            fmts = parse_formats(p["formats"], cfg.formats)
            params = {**cfg.params, **_params(p, registry)}
            selection = parse_selection(p, cfg.selection)
            selection.validate(registry)
            stages = _waiver_stages(p, config_waivers(cfg, config_path), cfg.waiver_max_days)
            extra = package_inputs(
                p, lib_reg[0], config_path.parent / cfg.attestations if cfg.attestations else None
            )
            with progress_display(p["quiet"], "collecting") as prog:
                snap = scan_api.collect(((t.spec, t.name, t.options) for t in targets), prog, shard=shard)
            key = targets_digest([(t.spec.name, t.name, t.options) for t in targets])
            return evaluate_and_write(
                snap,
                p,
                fws,
                fmts,
                lib_reg,
                params=params,
                selection=selection,
                stages=stages,
                targets_key=key,
                **extra,
            )
        fmts = parse_formats(p["formats"], ["html", "json"])
        selection = parse_selection(p)
        selection.validate(registry)
        params = _params(p, registry)
        stages = _waiver_stages(p)
        extra = package_inputs(p, lib_reg[0])
        snap = load_snapshots(snapshots)
        return evaluate_and_write(
            snap,
            p,
            frameworks,
            fmts,
            lib_reg,
            params=params,
            selection=selection,
            stages=stages,
            from_snapshot=True,
            **extra,
        )

    run_command(body)


def _waiver_stages(
    p: dict[str, Any], configured: list[Waiver] | None = None, max_days: int = DEFAULT_MAX_DAYS
) -> list[Stage]:
    """Waivers from audit.yaml and --waivers FILE, as one stage (validated before collecting)."""
    waivers = [*(configured or []), *(load_waivers(p["waivers_file"]) if p.get("waivers_file") else [])]
    return [WaiverStage(waivers, max_days)] if waivers else []


def _attestations(p: dict[str, Any], library: Library, configured: Path | None = None) -> Attestations | None:
    """--attestations FILE, else the config file's `attestations:` (relative to the config)."""
    path = p.get("attestations_file") or configured
    return load_attestations(Path(path), library) if path else None


def package_inputs(p: dict[str, Any], library: Library, configured: Path | None = None) -> dict[str, Any]:
    """The signer and the attestations, loaded and checked before anything is collected."""
    return {"signer": signer_from(p), "attestations": _attestations(p, library, configured)}


def _params(p: dict[str, Any], registry: Registry) -> dict[str, JSON]:
    path = p.get("params_file")
    return load_params(path, registry) if path else {}


def evaluate_and_write(
    snap: Snapshot,
    p: dict[str, Any],
    frameworks: list[Framework] | None,
    formats: list[str],
    lib_reg: tuple[Library, Registry],
    *,
    params: dict[str, Any] | None = None,
    selection: CheckSelection | None = None,
    stages: list[Stage] | None = None,
    from_snapshot: bool = False,
    signer: Signer | None = None,
    attestations: Attestations | None = None,
    targets_key: str = "",
) -> int:
    out: Path | None = p.get("out")
    if out is None:
        raise UsageError("--out DIR is required")
    publisher = Publisher.from_params(p)
    library, registry = lib_reg
    with progress_display(p["quiet"], "evaluating") as prog:
        result = scan_api.evaluate_snapshot(
            snap,
            library=library,
            registry=registry,
            frameworks=frameworks,
            params=params,
            selection=selection,
            stages=stages or (),
            progress=lambda i, n: prog.step(f"evaluating checks {i}/{n}", 0),
            attestations=attestations,
        )
    # saved before the outputs, so a snapshot inside the output directory is part of the signed package
    also: list[Path] = []
    snapshot_path = None if from_snapshot else publisher.shard_snapshot(p, out)
    if snapshot_path is not None:
        also.append(save_snapshot(snap, snapshot_path))
    written = scan_api.write_outputs(
        result,
        out,
        formats,
        snapshot=snap,
        library=library,
        attestations=attestations,
        signer=signer,
        also=also,
        trend=publisher.trend(result),
    )
    if not p["quiet"]:
        _print_summary(result, out, formats)
        _print_package(out, written, signer is not None)
    if result.errors and not p["quiet"]:
        _print_collection_errors(result.errors)
    if not from_snapshot and not snap.resources and snap.errors:
        # nothing at all could be read: missing credentials, kubeconfig, token, or no reachable target
        print_error(
            "nothing could be scanned (see the collection errors above); outputs were written to " + str(out)
        )
        return publisher.finish(result, EXIT_USAGE, snap.created_at, p["quiet"])
    code = EXIT_COLLECTION if result.has_collection_errors else EXIT_OK
    publisher.shard_done(
        out,
        snapshot_path,
        lib_reg,
        targets_key=targets_key,
        frameworks=frameworks,
        selection=selection,
        params=params,
    )
    return publisher.finish(
        result, code, result.scan.started_at if from_snapshot else snap.created_at, p["quiet"]
    )


def _print_package(out: Path, written: dict[str, Path], signed: bool) -> None:
    manifest_path = written.get("evidence")
    if manifest_path is None:
        return
    manifest = read_json_object(manifest_path, "evidence manifest")
    files = len(manifest.get("files", []))
    how = f"signed with {manifest['signature']['public_key_fingerprint']}" if signed else "unsigned"
    err_console.print(
        f"Evidence package: {manifest_path} ({files} files, {how}); check it with `auditor verify {out}`",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    stray = stray_files(out, manifest)
    if stray:
        err_console.print(
            f"{len(stray)} file(s) in {out} are not part of this package (left by an earlier run?), "
            f"and `auditor verify` will report them as added: {', '.join(stray[:3])}"
            + (" ..." if len(stray) > 3 else ""),
            style="yellow",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )


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
    excluded = {x.check_id for x in result.exclusions if x.check_id != NO_CHECK}
    if excluded:
        err_console.print(
            f"{len(excluded)} check(s) excluded on purpose (not evaluated, never counted as passing; see results.json 'exclusions')",
            highlight=False,
        )
    unread = sum(1 for x in result.exclusions if x.check_id == NO_CHECK)
    if unread:
        err_console.print(
            f"{unread} kind(s) of input no check judges, left unread (see results.json 'exclusions', check_id '*')",
            highlight=False,
        )
    waived = sum(1 for x in result.findings if x.waiver is not None)
    notes = Counter(t.action for t in result.audit_trail if t.stage == "waivers")
    if waived or notes["expired"] or notes["stale"]:
        err_console.print(
            f"{waived} failing finding(s) waived (still fail); {notes['expired']} expired and "
            f"{notes['stale']} stale waiver(s) (see results.json 'audit_trail')",
            highlight=False,
        )
    if "html" in formats:
        err_console.print(f"Report: {out / 'report.html'}", highlight=False, soft_wrap=True)
    err_console.print(f"Results: {out / 'results.json'}", highlight=False, soft_wrap=True)


_COMMON = (
    "out",
    "attestations_file",
    "sign_key",
    "sign_with_vault",
    "formats",
    "frameworks",
    "save_snapshot",
    "quiet",
    "checks",
    "skip_checks",
    "min_severity",
    "params_file",
    "waivers_file",
    "shard",
    "run_id",
    *PUBLISH_OPTIONS,
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
                        values[name] = split_list(value)
                elif value is not None:
                    values[name] = value
            try:
                options = spec.options.model_validate(values)
            except ValidationError as exc:
                e = exc.errors()[0]
                flag = "-".join(str(x) for x in e["loc"]).replace("_", "-")
                raise UsageError(
                    f"--{flag}: {e['msg']}" if flag else f"scan {spec.name}: {e['msg']}"
                ) from None
            lib_reg = library_and_registry()
            registry = lib_reg[1]
            fmts = parse_formats(p["formats"], ["html", "json"])
            selection = parse_selection(p)
            selection.validate(registry)
            params = _params(p, registry)
            stages = _waiver_stages(p)
            extra = package_inputs(p, lib_reg[0])
            shard = Publisher.from_params(p).shard
            with progress_display(p["quiet"], f"collecting {spec.name}") as prog:
                snap = scan_api.collect([(spec, spec.name, options)], prog, shard=shard)
            return evaluate_and_write(
                snap,
                p,
                parse_frameworks(p["frameworks"]),
                fmts,
                lib_reg,
                params=params,
                selection=selection,
                stages=stages,
                targets_key=targets_digest([(spec.name, spec.name, options)]),
                **extra,
            )

        run_command(body)

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


def register_providers() -> None:
    for spec in discover_providers().values():
        scan.add_command(_provider_command(spec))
