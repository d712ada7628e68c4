"""junit.xml: one testcase per check x resource, for CI test reports (GitLab, Jenkins, Azure).

A testsuite per check (its title and severity); a testcase per finding, named by where the
resource is (`file:line (address)`, or the live resource id). `fail` is a <failure> whose type is
the severity (a waived or baseline-unchanged failure says so in its message: it still failed),
`error` is an <error> (could not be evaluated), `not_applicable` is <skipped>, `pass` is a bare
testcase.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

from auditor.models import Finding, Status
from auditor.outputs import write_bytes
from auditor.writers import WriteContext, Writer


def _label(f: Finding) -> str:
    return f.source or (f"{f.resource_name} ({f.resource_id})" if f.resource_name else f.resource_id)


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters: drop them rather than write a broken file."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def _note(f: Finding) -> str:
    if f.waiver is not None:
        w = f.waiver
        return f"[waived by {w.approver} until {w.expires.isoformat()}: {w.reason}] "
    if f.baseline_state == "unchanged":
        return "[unchanged since the baseline] "
    return ""


def junit_xml(ctx: WriteContext) -> bytes:
    result = ctx.result
    titles = {m.id: m for m in result.checks}
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_check[f.check_id].append(f)
    root = ET.Element("testsuites", name="auditor", tests=str(len(result.findings)))
    totals = {"failures": 0, "errors": 0, "skipped": 0}
    for check_id in sorted(by_check):
        findings = by_check[check_id]
        meta = titles.get(check_id)
        counts = {
            "failures": sum(f.status is Status.FAIL for f in findings),
            "errors": sum(f.status is Status.ERROR for f in findings),
            "skipped": sum(f.status is Status.NOT_APPLICABLE for f in findings),
        }
        for k, v in counts.items():
            totals[k] += v
        attrib = {"name": check_id, "tests": str(len(findings))} | {k: str(v) for k, v in counts.items()}
        suite = ET.SubElement(root, "testsuite", attrib)
        if meta is not None:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="title", value=_clean(meta.title))
            ET.SubElement(props, "property", name="severity", value=meta.severity.value)
        for f in sorted(findings, key=_label):
            case = ET.SubElement(suite, "testcase", classname=check_id, name=_clean(_label(f)))
            if f.location is not None:
                case.set("file", f.location.file)
                if f.location.start_line is not None:
                    case.set("line", str(f.location.start_line))
            message = _clean(_note(f) + f.message)
            if f.status is Status.FAIL:
                node = ET.SubElement(case, "failure", message=message, type=f.severity.value)
                node.text = _clean(f"{f.key}\n{f.resource_type} {f.resource_id}")
            elif f.status is Status.ERROR:
                ET.SubElement(case, "error", message=message, type="not_evaluated")
            elif f.status is Status.NOT_APPLICABLE:
                ET.SubElement(case, "skipped", message=message)
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def _write(ctx: WriteContext) -> Path:
    return write_bytes(ctx.out / "junit.xml", junit_xml(ctx))


WRITER = Writer("junit", "junit.xml", "JUnit XML: one testcase per check x resource", _write)
