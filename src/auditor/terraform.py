"""Terraform plans (`terraform show -json`), read once, for every provider's plan adapter.

Provider-agnostic: this module knows the plan format, not what any resource type means. It gives
each planned resource instance (`planned_values`, including those inside modules and with `count`
or `for_each` keys) with:

- its planned values, and which of them are unknown until apply (`resource_changes[].change
  .after_unknown`): an adapter turns those into gaps, never into defaults;
- its configuration block (`configuration`, found through the module path and address without
  instance keys), whose `references` say which other resource an attribute points at even when
  that resource's id or name is unknown at plan time (`Plan.referenced`, following `each.value`,
  module variables and module outputs);
- where it is written: the `.tf` file and the line range of its block, found by parsing the
  module's `.tf` files with python-hcl2 (local module sources relative to their caller, registry
  modules through `.terraform/modules/modules.json`); the plan file itself when the sources are
  not at hand (a scanner that follows HCL's strings, comments and heredocs finds the blocks,
  python-hcl2 is asked when it cannot follow a file, and the tests check one against the other).

`plan_snapshot()` reads plans and hands them to every provider whose `ProviderSpec.plan_adapter`
names a mapping function (`adapt(plan) -> Iterable[Resource]`): the core never lists providers.
Each plan is recorded as one evidence record holding its path and SHA-256, not its contents.
A managed resource no adapter reads (`MAPPED_TYPES` beside each adapter) is never silently
dropped: each such Terraform type is counted in its provider's plan target (`unread_types`) and
listed as a collection exclusion (`terraform.unread/<type>`, with the count and addresses), under
the provider whose adapter reads types of the same Terraform provider, or `terraform` for one no
adapter claims (`random_id`).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from auditor.checks import Registry
from auditor.errors import ConfigError, first_problem
from auditor.evidence import SnapshotBuilder
from auditor.inputs import parse_json, read_bytes, read_text
from auditor.models import CollectionExclusion, Location, Resource, Snapshot, SourceLocation, Target
from auditor.providers import ProviderSpec
from auditor.redact import REDACTED

UNKNOWN = "known only after apply"
SENSITIVE = "sensitive in the plan, so never read"
_MODULE = re.compile(r'module\.([A-Za-z0-9_-]+)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)')


class Unknown(Exception):
    """A planned value that is known only after apply (`why`), or that the plan marks sensitive."""

    def __init__(self, what: str, why: str = UNKNOWN) -> None:
        self.why = why
        super().__init__(what)


class PlanShapeError(Exception):
    """A planned value not shaped as its Terraform provider writes it; `plan_snapshot` makes it a
    ConfigError naming the plan file and `entry` (the resource address and attribute)."""

    def __init__(self, entry: str, problem: str) -> None:
        self.entry = entry
        self.problem = problem
        super().__init__(f"{entry}: {problem}")


# What a plan value of the wrong shape raises in an adapter (pydantic's ValidationError is a ValueError)
SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError, ValueError)


def shape_problem(exc: Exception) -> str:
    """What went wrong, without the value itself (a value may be secret): the message of a type
    error, or the field a validation error names."""
    if isinstance(exc, ValidationError):
        entry, msg = first_problem(exc)
        return f"{entry}: {msg}" if entry else msg
    detail = f": {exc}" if isinstance(exc, (TypeError, AttributeError)) else ""
    return f"a value not shaped as its Terraform provider writes it ({type(exc).__name__}{detail})"


# ----------------------------------------------------------------------------- addresses


def split_module(address: str) -> tuple[list[tuple[str, str]], str]:
    """([(call name, instance key text)], rest) of an address such as
    `module.a["x"].module.b[0].aws_s3_bucket.this[1]`."""
    calls: list[tuple[str, str]] = []
    pos = 0
    while address.startswith("module.", pos):
        m = _MODULE.match(address, pos)
        if m is None:
            break
        calls.append((m.group(1), m.group(2)))
        pos = m.end() + 1  # the dot after the module
    return calls, address[pos:]


def config_module(module_address: str) -> str:
    """A module instance address without its instance keys: `module.a["x"].module.b` for the
    configuration (`module.a.module.b`)."""
    calls, _ = split_module(module_address + "." if module_address else "")
    return ".".join(f"module.{name}" for name, _ in calls)


def _key_text(index: Any) -> str:
    if index is None:
        return ""
    if isinstance(index, int):
        return f"[{index}]"
    return '["' + str(index).replace("\\", "\\\\").replace('"', '\\"') + '"]'


def _parse_key(text: str) -> Any:
    if not text:
        return None
    inner = text[1:-1]
    if inner.startswith('"'):
        return inner[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return int(inner)


# ----------------------------------------------------------------------------- resources


def _step(node: Any, part: str | int) -> Any:
    """One step down a planned-values (or after_unknown) tree; None when there is nothing there."""
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


def _unknown_at(tree: Any, path: Sequence[str | int]) -> bool:
    node = tree
    for part in path:
        if node is True:
            return True
        node = _step(node, part)
    return node is True


def _merge_marks(unknown: Any, sensitive: Any) -> Any:
    """The after_unknown tree with every sensitive leaf marked too: a value the plan hides is read
    as one no one can know yet (a gap, never a default)."""
    if sensitive is True or unknown is True:
        return True
    if isinstance(sensitive, dict):
        base = unknown if isinstance(unknown, dict) else {}
        out = dict(base)
        for k, v in sensitive.items():
            merged = _merge_marks(base.get(k), v)
            if merged is not None and merged is not False:
                out[k] = merged
        return out
    if isinstance(sensitive, list):
        base_list = unknown if isinstance(unknown, list) else []
        size = max(len(base_list), len(sensitive))
        return [
            _merge_marks(
                base_list[i] if i < len(base_list) else None, sensitive[i] if i < len(sensitive) else None
            )
            for i in range(size)
        ]
    return unknown


def _masked(values: Any, sensitive: Any) -> Any:
    """`values` with every leaf the plan marks sensitive (`sensitive_values`) replaced: a
    sensitive value is never held, whichever adapter reads whichever attribute."""
    if sensitive is True:
        return REDACTED if values is not None else None
    if isinstance(sensitive, dict) and isinstance(values, dict):
        return {k: _masked(v, sensitive.get(k)) for k, v in values.items()}
    if isinstance(sensitive, list) and isinstance(values, list):
        return [_masked(v, sensitive[i] if i < len(sensitive) else None) for i, v in enumerate(values)]
    return values


@dataclass
class PlanResource:
    """One planned resource instance (or a data source read at plan time)."""

    address: str  # module.web[0].aws_security_group.this
    module: str  # the module instance address ("" for the root module)
    mode: str  # managed | data
    type: str
    name: str
    index: Any  # count index (int), for_each key (str), or None
    provider: str  # registry.terraform.io/hashicorp/aws
    values: dict[str, Any]
    unknown: Any = None  # after_unknown: True, or a tree of dicts / lists with True at unknown leaves
    # (sensitive leaves marked too: read_plan masks their values)
    sensitive: Any = None  # sensitive_values: the same kind of tree, True at sensitive leaves
    config: dict[str, Any] | None = None
    region: str | None = None  # the provider configuration's region, when it is a constant
    source: SourceLocation | None = None
    actions: tuple[str, ...] = ()

    @property
    def base_address(self) -> str:
        """The configuration address within its module (no instance key): `aws_s3_bucket.logs`."""
        return f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"

    def is_unknown(self, *path: str | int) -> bool:
        """Known only after apply, or sensitive (never read): either way not a value to judge."""
        return _unknown_at(self.unknown, path)

    def unknown_error(self, *path: str | int) -> Unknown:
        """The Unknown that reading `path` raises, saying whether it is sensitive or not known yet."""
        why = SENSITIVE if _unknown_at(self.sensitive, path) else UNKNOWN
        return Unknown(".".join(str(p) for p in path), why)

    def get(self, *path: str | int, default: Any = None) -> Any:
        """The planned value at `path`; raises Unknown when it is known only after apply. A value
        that is absent and not unknown is `default` (null: not set)."""
        if self.is_unknown(*path):
            raise self.unknown_error(*path)
        node: Any = self.values
        for part in path:
            node = _step(node, part)
            if node is None:
                return default
        return node

    def expression(self, attr: str) -> dict[str, Any]:
        expr = (self.config or {}).get("expressions", {}).get(attr)
        return expr if isinstance(expr, dict) else {}

    def sets(self, attr: str) -> bool:
        """The configuration writes `attr` (an argument or a nested block)."""
        return attr in ((self.config or {}).get("expressions") or {})

    def references(self, attr: str) -> list[str]:
        refs = self.expression(attr).get("references")
        return [r for r in refs if isinstance(r, str)] if isinstance(refs, list) else []


# ----------------------------------------------------------------------------- locating blocks


@dataclass
class _Locator:
    """Finds the `.tf` file and lines of a block, parsing each module directory once."""

    root: Path
    display: Mapping[str, str] = field(default_factory=dict)
    _blocks: dict[Path, dict[tuple[str, str, str], tuple[Path, int, int]]] = field(default_factory=dict)

    _registry: dict[str, str] | None = None

    def module_dir(self, config_path: str, sources: Mapping[str, str]) -> Path | None:
        """The directory of a configuration module (`module.a.module.b`)."""
        if not config_path:
            return self.root
        key = ".".join(config_path.split(".")[1::2])
        registry = self._modules_json()
        if key in registry:
            return self.root / registry[key]
        parent = self.module_dir(".".join(config_path.split(".")[:-2]), sources)
        src = sources.get(config_path)
        if parent is None or src is None or not src.startswith(("./", "../")):
            return None
        return (parent / src).resolve() if not parent.is_absolute() else Path(os.path.normpath(parent / src))

    def _modules_json(self) -> dict[str, str]:
        if self._registry is None:
            self._registry = {}
            path = self.root / ".terraform" / "modules" / "modules.json"
            if path.is_file():
                try:
                    doc = parse_json(read_bytes(path), path)
                except ConfigError:
                    doc = {}
                for m in doc.get("Modules", []) if isinstance(doc, dict) else []:
                    if isinstance(m, dict) and m.get("Key") and isinstance(m.get("Dir"), str):
                        self._registry[str(m["Key"])] = m["Dir"]
        return self._registry

    def blocks(self, directory: Path) -> dict[tuple[str, str, str], tuple[Path, int, int]]:
        found = self._blocks.get(directory)
        if found is None:
            found = {}
            try:
                files = sorted(p for p in directory.glob("*.tf") if p.is_file())
            except OSError:
                files = []
            for path in files:
                found.update({k: (path, a, b) for k, (a, b) in tf_blocks(path).items()})
            self._blocks[directory] = found
        return found

    def locate(
        self, directory: Path | None, mode: str, type_: str, name: str
    ) -> tuple[Path, int, int] | None:
        if directory is None:
            return None
        return self.blocks(directory).get(("resource" if mode == "managed" else "data", type_, name))


def _label(node: Any) -> str:
    """The text of a block label (a quoted string or an identifier) in the lark tree."""
    from lark import Token, Tree

    parts: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Token):
            if n.type not in ("DBLQUOTE",):
                parts.append(str(n))
        elif isinstance(n, Tree):
            stack.extend(reversed(n.children))
    return "".join(parts).strip('"')


_CODE = re.compile(r"#|//|/\*|\"|<<-?|[{}]|\n")
_IN_STRING = re.compile(r"\\.|\$\$\{|%%\{|\$\{|%\{|\"|\n", re.S)
_HEREDOC = re.compile(r"([A-Za-z_][\w-]*)[ \t]*\r?\n")
_HEADER = re.compile(
    r'[ \t]*(resource|data)[ \t]+("(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*)[ \t]+("(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*)[ \t]*\{'
)

Blocks = dict[tuple[str, str, str], tuple[int, int]]


def scan_blocks(text: str) -> Blocks | None:
    """(block type, type label, name label) -> (first line, last line) of every top-level
    `resource` and `data` block, by a scanner that knows HCL's comments, quoted strings with
    template interpolations, and heredocs, and counts braces outside them. None when the text is
    not something it can follow (unbalanced braces, an unterminated string or heredoc): the caller
    then asks python-hcl2."""
    out: Blocks = {}
    pos, line, depth = 0, 1, 0
    returns: list[int] = []  # the brace depth at which each open interpolation goes back to its string
    in_string = False
    header: tuple[str, str, str, int] | None = None
    while True:
        if in_string:
            m = _IN_STRING.search(text, pos)
            if m is None:
                return None
            tok, pos = m.group(), m.end()
            if tok == '"':
                in_string = False
            elif tok == "\n":
                return None  # a quoted string cannot span lines
            elif tok in ("${", "%{"):
                returns.append(depth)
                in_string = False
            continue
        m = _CODE.search(text, pos)
        if m is None:
            break
        tok, pos = m.group(), m.end()
        if tok == "\n":
            line += 1
        elif tok in ("#", "//"):
            nl = text.find("\n", pos)
            pos = len(text) if nl < 0 else nl
        elif tok == "/*":
            close = text.find("*/", pos)
            if close < 0:
                return None
            line += text.count("\n", pos, close)
            pos = close + 2
        elif tok == '"':
            in_string = True
        elif tok.startswith("<<"):
            hm = _HEREDOC.match(text, pos)
            if hm is None:
                return None
            closing = re.compile(r"^[ \t]*" + re.escape(hm.group(1)) + r"[ \t]*\r?$", re.M).search(
                text, hm.end()
            )
            if closing is None:
                return None
            line += text.count("\n", pos, closing.end())
            pos = closing.end()
        elif tok == "{":
            depth += 1
            if depth == 1:
                start = text.rfind("\n", 0, m.start()) + 1
                hm = _HEADER.fullmatch(text, start, m.end())
                header = (hm.group(1), hm.group(2).strip('"'), hm.group(3).strip('"'), line) if hm else None
        else:  # "}"
            if returns and depth == returns[-1]:
                returns.pop()
                in_string = True
                continue
            depth -= 1
            if depth < 0:
                return None
            if depth == 0 and header is not None:
                out[header[:3]] = (header[3], line)
                header = None
    return out if depth == 0 and not returns else None


def tf_blocks(path: Path) -> Blocks:
    """The `resource` and `data` blocks of one `.tf` file with their lines: the scanner above,
    or python-hcl2 for a file the scanner cannot follow. A file neither can read yields nothing
    (its resources then point at the plan file)."""
    try:
        text = read_text(path, ".tf file")
    except ConfigError:
        return {}
    found = scan_blocks(text)
    return found if found is not None else hcl2_blocks(text)


def hcl2_blocks(text: str) -> Blocks:
    """The same, through python-hcl2's parser (slower; the reference the scanner is tested against)."""
    import hcl2
    from lark import Tree
    from lark.exceptions import LarkError

    try:
        tree = hcl2.parses_to_tree(text)
    except (LarkError, ValueError, RecursionError):
        return {}
    out: Blocks = {}
    for body in tree.children:
        if not isinstance(body, Tree):
            continue
        for block in body.children:
            if not isinstance(block, Tree) or block.data != "block":
                continue
            labels = [c for c in block.children if isinstance(c, Tree) and c.data in ("identifier", "string")]
            if len(labels) < 3:
                continue
            kind = _label(labels[0])
            if kind in ("resource", "data"):
                out[(kind, _label(labels[1]), _label(labels[2]))] = (block.meta.line, block.meta.end_line)
    return out


# ----------------------------------------------------------------------------- the plan


def display_path(path: Path) -> str:
    """How a file is named in findings: relative to the current directory when below it (so a
    key is the same on every machine that checks the repository out), else as given."""
    absolute = Path(os.path.abspath(path))
    here = Path(os.path.abspath(Path.cwd()))
    return absolute.relative_to(here).as_posix() if absolute.is_relative_to(here) else path.as_posix()


@dataclass
class Plan:
    """A read plan: its resource instances, data sources, and how to relate them."""

    file: str  # as findings name it
    sha256: str
    resources: list[PlanResource]  # managed resources that exist after apply
    data: list[PlanResource]  # data sources read at plan time
    terraform_version: str | None = None
    _by_module: dict[tuple[str, str], list[PlanResource]] = field(default_factory=dict, repr=False)
    _modules: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for r in (*self.resources, *self.data):
            self._by_module.setdefault((r.module, r.base_address), []).append(r)

    def of_type(self, *types: str) -> list[PlanResource]:
        return [r for r in self.resources if r.type in types]

    def instances(self, module: str, base_address: str) -> list[PlanResource]:
        return self._by_module.get((module, base_address), [])

    def referenced(self, res: PlanResource, attr: str, types: Iterable[str]) -> list[PlanResource]:
        """The resources of `types` that `res`'s `attr` refers to in the configuration: the way to
        join a split resource to its parent when the parent's id is unknown until apply."""
        wanted = tuple(types)
        out: list[PlanResource] = []
        for target in self._resolve(res.module, res.index, res.config, res.references(attr), wanted, 0):
            if target not in out:
                out.append(target)
        return out

    def _resolve(
        self,
        module: str,
        index: Any,
        config: Mapping[str, Any] | None,
        refs: Sequence[str],
        types: tuple[str, ...],
        depth: int,
    ) -> Iterator[PlanResource]:
        if depth > 16:
            return
        for ref in refs:
            head = ref.split(".", 1)[0]
            if ref.startswith("each.value") and config is not None:
                fe = config.get("for_each_expression") or {}
                yield from self._resolve(module, index, None, fe.get("references", []), types, depth + 1)
                return
            if head in ("each", "count", "local", "path", "terraform", "self"):
                continue
            if head == "var":
                yield from self._from_variable(module, ref.split(".")[1], types, depth)
                return
            if head == "module":
                yield from self._from_output(module, ref, types, depth)
                return
            found = self._resource_ref(module, index, ref, types)
            if found:
                yield from found
                return

    def _resource_ref(self, module: str, index: Any, ref: str, types: tuple[str, ...]) -> list[PlanResource]:
        parts = ref.split(".")
        if parts[0] == "data":
            parts = parts[1:]
            mode_prefix = "data."
        else:
            mode_prefix = ""
        if len(parts) < 2 or parts[0] not in types:
            return []
        name, _, key = parts[1].partition("[")
        candidates = self.instances(module, f"{mode_prefix}{parts[0]}.{name}")
        if not candidates:
            return []
        if key:
            want = _parse_key("[" + key)
            return [c for c in candidates if c.index == want]
        if len(candidates) == 1 and candidates[0].index is None:
            return candidates
        same = [c for c in candidates if c.index == index and index is not None]
        return same

    def _module_config(self, config_path: str) -> dict[str, Any]:
        return self._modules.get(config_path, {})

    def _from_variable(
        self, module: str, var: str, types: tuple[str, ...], depth: int
    ) -> Iterator[PlanResource]:
        calls, _ = split_module(module + "." if module else "")
        if not calls:
            return
        parent = ".".join(f"module.{n}{k}" for n, k in calls[:-1])
        name, key = calls[-1]
        call = self._module_config(config_module(parent)).get("module_calls", {}).get(name, {})
        expr = call.get("expressions", {}).get(var, {})
        refs = expr.get("references", []) if isinstance(expr, dict) else []
        yield from self._resolve(parent, _parse_key(key), call, refs, types, depth + 1)

    def _from_output(
        self, module: str, ref: str, types: tuple[str, ...], depth: int
    ) -> Iterator[PlanResource]:
        parts = ref.split(".")
        if len(parts) < 3:
            return
        call, _, key = parts[1].partition("[")
        child = f"{module}.module.{call}" if module else f"module.{call}"
        if key:
            child += "[" + key
        else:
            keys = {r.module for r in (*self.resources, *self.data) if r.module.startswith(child)}
            if child not in keys and len(keys) != 1:
                return
            child = next(iter(keys)) if child not in keys else child
        out_cfg = self._module_config(config_module(child)).get("outputs", {}).get(parts[2], {})
        refs = out_cfg.get("expression", {}).get("references", [])
        yield from self._resolve(child, None, None, refs, types, depth + 1)


def _walk_modules(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield module
    for child in module.get("child_modules", []) or []:
        if isinstance(child, dict):
            yield from _walk_modules(child)


def _config_modules(root: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """configuration module path (`module.a.module.b`) -> that module's configuration."""
    out: dict[str, dict[str, Any]] = {}
    stack: list[tuple[str, Mapping[str, Any]]] = [("", root)]
    while stack:
        path, mod = stack.pop()
        out[path] = dict(mod)
        for name, call in (mod.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                stack.append((f"{path}.module.{name}" if path else f"module.{name}", call["module"]))
    return out


def _regions(configuration: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for key, cfg in (configuration.get("provider_config") or {}).items():
        region = ((cfg or {}).get("expressions") or {}).get("region") or {}
        if isinstance(region, dict) and isinstance(region.get("constant_value"), str):
            out[key] = region["constant_value"]
    return out


class _Shape(BaseModel):
    """The part of `terraform show -json` this module walks, checked before it is walked, so a
    plan of another shape is a ConfigError naming the entry (`resource_changes[3].change.actions`),
    never a crash or a silently dropped resource. Everything else is left as it is."""

    model_config = ConfigDict(extra="allow")


class _PlannedResource(_Shape):
    address: StrictStr
    mode: StrictStr = "managed"
    type: StrictStr
    name: StrictStr
    provider_name: StrictStr = ""
    index: StrictStr | StrictInt | None = None
    values: dict[str, Any] | None = None
    sensitive_values: dict[str, Any] | StrictBool | None = None


class _Module(_Shape):
    address: StrictStr = ""
    resources: list[_PlannedResource] = []
    child_modules: list[_Module] = []


class _Values(_Shape):
    root_module: _Module | None = None


class _State(_Shape):
    values: _Values | None = None


class _Change(_Shape):
    actions: list[StrictStr] = []
    after_unknown: dict[str, Any] | StrictBool | None = None
    after_sensitive: dict[str, Any] | StrictBool | None = None


class _ResourceChange(_Shape):
    address: StrictStr
    change: _Change


class _Expressions(_Shape):
    expressions: dict[str, Any] = {}


class _ConfigResource(_Expressions):
    address: StrictStr
    provider_config_key: StrictStr = ""
    for_each_expression: dict[str, Any] | None = None


class _Output(_Shape):
    expression: dict[str, Any] = {}


class _ModuleCall(_Expressions):
    source: StrictStr = ""
    module: _ConfigModule | None = None


class _ConfigModule(_Shape):
    resources: list[_ConfigResource] = []
    module_calls: dict[str, _ModuleCall] = {}
    outputs: dict[str, _Output] = {}


class _Configuration(_Shape):
    provider_config: dict[str, _Expressions] = {}
    root_module: _ConfigModule | None = None


class _PlanDocument(_Shape):
    planned_values: _Values | None = None
    prior_state: _State | None = None
    resource_changes: list[_ResourceChange] = []
    configuration: _Configuration | None = None


def _check_shape(doc: dict[str, Any], path: Path) -> None:
    try:
        _PlanDocument.model_validate(doc)
    except ValidationError as exc:
        entry, msg = first_problem(exc)
        raise ConfigError(
            path, f"not shaped as terraform show -json writes a plan: {msg}", entry=entry
        ) from None


def read_plan(path: Path, root: Path | None = None) -> Plan:
    """Read one `terraform show -json` file. `root` is the Terraform working directory whose
    `.tf` files the plan was made from (default: the plan file's directory).

    A file that is not a plan is a ConfigError naming it: a gate must never pass on an input
    it could not read."""
    raw_bytes = read_bytes(path, "plan file")
    doc = parse_json(raw_bytes, path)
    if not isinstance(doc, dict):
        raise ConfigError(path, "not a Terraform plan: expected a JSON object (terraform show -json PLAN)")
    if "format_version" not in doc or not ({"planned_values", "resource_changes"} & doc.keys()):
        hint = (
            " (this is a state file; give the plan)"
            if "values" in doc and "planned_values" not in doc
            else ""
        )
        raise ConfigError(
            path,
            f"not a Terraform plan: no format_version / planned_values{hint} (terraform show -json PLAN)",
        )
    if doc.get("errored"):
        raise ConfigError(path, "the plan errored (terraform plan failed): fix the plan first")
    for key in ("planned_values", "configuration", "prior_state"):
        if key in doc and not isinstance(doc[key], dict):
            raise ConfigError(path, f"'{key}' is not an object", entry=key)
    _check_shape(doc, path)
    root = root if root is not None else path.parent
    configuration = doc.get("configuration") or {}
    modules = _config_modules(configuration.get("root_module") or {})
    sources = {
        f"{p}.module.{name}" if p else f"module.{name}": call.get("source", "")
        for p, mod in modules.items()
        for name, call in (mod.get("module_calls") or {}).items()
        if isinstance(call, dict)
    }
    regions = _regions(configuration)
    changes = {rc["address"]: rc for rc in doc.get("resource_changes") or []}
    plan_file = display_path(path)
    locator = _Locator(root)

    def build(raw: Mapping[str, Any], module: str, section: str) -> PlanResource:
        address, type_, name = raw["address"], raw["type"], raw["name"]  # _check_shape: strings
        mode = raw.get("mode", "managed")
        if address not in changes and section == "planned_values" and mode == "managed":
            raise ConfigError(
                path,
                "a planned resource without its resource_changes entry: which of its values are "
                f"{UNKNOWN} cannot be told",
                entry=address,
            )
        change = (changes.get(address) or {}).get("change") or {}
        sensitive = _merge_marks(raw.get("sensitive_values"), change.get("after_sensitive"))
        cfg_path = config_module(module)
        base = f"{'data.' if mode == 'data' else ''}{type_}.{name}"
        cfg_module = modules.get(cfg_path, {})
        config = next((c for c in cfg_module.get("resources", []) if c.get("address") == base), None)
        key = (config or {}).get("provider_config_key", "")
        hit = locator.locate(locator.module_dir(cfg_path, sources), str(mode), type_, name)
        if hit is not None:
            file, start, end = hit
            source = SourceLocation(file=display_path(file), start_line=start, end_line=end, address=address)
        else:
            source = SourceLocation(file=plan_file, address=address)
        values = _masked(raw.get("values"), sensitive)
        return PlanResource(
            address=address,
            module=module,
            mode=str(mode),
            type=type_,
            name=name,
            index=raw.get("index"),
            provider=str(raw.get("provider_name", "")),
            values=values if isinstance(values, dict) else {},
            unknown=_merge_marks(change.get("after_unknown"), sensitive),
            sensitive=sensitive,
            config=config,
            region=regions.get(key.rsplit(":", 1)[-1]) or regions.get(key),
            source=source,
            actions=tuple(change.get("actions") or ()),
        )

    def collect(values: Any, section: str, mode: str) -> list[PlanResource]:
        root_module = values.get("root_module") if isinstance(values, dict) else None
        if not isinstance(root_module, dict):
            return []
        return [
            build(raw, str(mod.get("address") or ""), section)
            for mod in _walk_modules(root_module)
            for raw in mod.get("resources") or []
            if raw.get("mode", "managed") == mode
        ]

    managed = collect(doc.get("planned_values"), "planned_values", "managed")
    data = collect((doc.get("prior_state") or {}).get("values"), "prior_state", "data")
    read = {x.address for x in data}
    data += [d for d in collect(doc.get("planned_values"), "planned_values", "data") if d.address not in read]
    return Plan(
        file=plan_file,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        resources=managed,
        data=data,
        terraform_version=doc.get("terraform_version"),
        _modules=modules,
    )


# ----------------------------------------------------------------------------- into a snapshot


Adapter = Callable[[Plan], Iterable[Resource]]


def plan_adapters(providers: Mapping[str, ProviderSpec]) -> list[tuple[ProviderSpec, Adapter]]:
    """(spec, adapt function) of every provider that maps plan resources."""
    return [(spec, fn) for spec in providers.values() if (fn := spec.load_plan_adapter()) is not None]


def plan_types(spec: ProviderSpec) -> tuple[str, ...]:
    """The resource types a provider's plan adapter yields (`PRODUCES` beside its function)."""
    if not spec.plan_adapter:
        return ()
    module = importlib.import_module(spec.plan_adapter.partition(":")[0])
    return tuple(getattr(module, "PRODUCES", ()))


def plan_reads(spec: ProviderSpec) -> tuple[str, ...]:
    """The Terraform resource types a provider's plan adapter reads (`MAPPED_TYPES` beside it)."""
    if not spec.plan_adapter:
        return ()
    module = importlib.import_module(spec.plan_adapter.partition(":")[0])
    return tuple(getattr(module, "MAPPED_TYPES", ()))


UNREAD_PREFIX = "terraform.unread/"  # the resource type of an exclusion: a Terraform type left unread
UNREAD = "no plan adapter reads this Terraform resource type: no check judges it"
NO_ADAPTER = "terraform"  # the provider an unread resource is listed under when no adapter claims it


def unread(plan: Plan, adapters: Sequence[ProviderSpec]) -> dict[str, dict[str, list[str]]]:
    """provider -> Terraform type -> addresses of the plan's managed resources that no adapter
    reads. A type belongs to the provider whose adapter reads types of the same Terraform
    provider (`google_…` to the one that reads `google_…`); any other is `NO_ADAPTER`'s."""
    reads = {spec.name: set(plan_reads(spec)) for spec in adapters}
    owner = {t.split("_", 1)[0]: name for name, types in reads.items() for t in types}
    out: dict[str, dict[str, list[str]]] = {}
    for r in plan.resources:
        name = owner.get(r.type.split("_", 1)[0], NO_ADAPTER)
        if r.type not in reads.get(name, ()):
            out.setdefault(name, {}).setdefault(r.type, []).append(r.address)
    return out


def _unread_exclusions(
    plan: Plan, provider: str, types: Mapping[str, list[str]]
) -> Iterator[CollectionExclusion]:
    for type_, addresses in sorted(types.items()):
        shown = ", ".join(addresses[:3]) + (", ..." if len(addresses) > 3 else "")
        yield CollectionExclusion(
            provider=provider,
            scope=Location(account="plan"),
            resource_types=(f"{UNREAD_PREFIX}{type_}",),
            reason=f"{len(addresses)} {type_} resource{'s' if len(addresses) != 1 else ''} in {plan.file} "
            f"({shown}): {UNREAD}",
        )


def plan_checks_markdown(registry: Registry, providers: Mapping[str, ProviderSpec]) -> str:
    """The table of checks that judge plans (docs/gate.md holds it; a test keeps them equal)."""
    produced = {t for spec in providers.values() for t in plan_types(spec)}
    lines = ["| check | severity | resource types |", "|---|---|---|"]
    for check in registry:
        types = [t for t in check.meta.resource_types if t in produced]
        if types:
            lines.append(f"| `{check.id}` | {check.meta.severity.value} | {', '.join(types)} |")
    return "\n".join(lines)


def plan_snapshot(
    plans: Sequence[Path],
    providers: Mapping[str, ProviderSpec],
    *,
    root: Path | None = None,
    tool_version: str = "",
) -> Snapshot:
    """Every plan through every provider's plan adapter, as one snapshot. Each plan is one
    evidence record (its path and SHA-256) that its resources point at."""
    builder = SnapshotBuilder(tool_version=tool_version)
    adapters = plan_adapters(providers)
    for path in plans:
        plan = read_plan(path, root)
        left = unread(plan, [spec for spec, _ in adapters])
        for provider in sorted(set(left) - {spec.name for spec, _ in adapters}):  # no adapter's at all
            for exclusion in _unread_exclusions(plan, provider, left[provider]):
                builder.add_exclusion(exclusion)
        for spec, adapt in adapters:
            mine = left.get(spec.name, {})
            builder.add_target(
                Target(
                    provider=spec.name,
                    label=f"plan {plan.file}",
                    options={"plan": plan.file, "unread_types": {t: len(a) for t, a in sorted(mine.items())}},
                )
            )
            for exclusion in _unread_exclusions(plan, spec.name, mine):
                builder.add_exclusion(exclusion)
            ev = builder.record(
                spec.name,
                "terraform.plan",
                {"file": plan.file, "sha256": plan.sha256, "terraform_version": plan.terraform_version},
                parameters={"file": plan.file},
                scope=Location(account="plan"),
            )
            try:
                for r in adapt(plan):
                    builder.add_resource(r.model_copy(update={"evidence": (ev, *r.evidence)}))
            except PlanShapeError as exc:
                raise ConfigError(path, exc.problem, entry=exc.entry) from None
            except SHAPE_ERRORS as exc:  # a value no adapter's attribute getter saw first
                raise ConfigError(path, f"{spec.name} plan adapter: {shape_problem(exc)}") from None
    return builder.build()
