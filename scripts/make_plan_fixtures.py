"""Regenerate fixtures/terraform/*/plan.json from their .tf sources with the local terraform.

    .venv/bin/python scripts/make_plan_fixtures.py [FIXTURE ...]

Offline: a fixture without its own providers.tf gets auditor_testkit.terraform.OFFLINE_PROVIDER
(dummy credentials, nothing called), and the hashicorp/aws provider comes from the machine's filesystem mirror (see
testkit/auditor_testkit/terraform.py; set AUDITOR_TF_MIRROR if it is elsewhere). Each plan is
written with sorted keys and without its timestamp, so a re-run on the same sources gives the same
file. tests/gate/test_live_terraform.py checks the checked-in plans against fresh ones.

The google/ and azurerm/ fixtures are written by hand (fixtures/terraform/README.md says why) and
are never regenerated here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from auditor_testkit import terraform

ROOT = Path(__file__).resolve().parent.parent / "fixtures" / "terraform"
HAND_WRITTEN = ("google", "azurerm")  # no provider mirror for these: see fixtures/terraform/README.md


def fixture_dirs(names: list[str]) -> list[Path]:
    found = sorted(
        {
            p.parent
            for p in ROOT.glob("**/*.tf")
            if "modules" not in p.relative_to(ROOT).parts and p.relative_to(ROOT).parts[0] not in HAND_WRITTEN
        }
    )
    return [d for d in found if not names or d.relative_to(ROOT).as_posix() in names]


def write(directory: Path) -> Path:
    doc = terraform.plan_json(directory)
    out = directory / "plan.json"
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return out


def main(argv: list[str]) -> int:
    why = terraform.available()
    if why:
        print(f"cannot make plans here: {why}", file=sys.stderr)
        return 2
    for d in fixture_dirs(argv):
        print(write(d).relative_to(ROOT.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
