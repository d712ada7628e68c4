"""Real Terraform plans, offline: the local terraform binary and its hashicorp/aws filesystem mirror.

No registry is reached: the CLI configuration written here installs providers only from the
mirror found on the machine (`AUDITOR_TF_MIRROR`, else the usual places), with no direct
installation method at all (a provider the mirror lacks fails `init`, it is never downloaded), and
the fixtures' provider blocks carry dummy credentials with every metadata and account lookup
skipped. Anything else terraform or a provider would fetch over HTTP(S) (a registry module, a data
source calling a cloud API) goes to a proxy on a closed loopback port and fails; loopback itself
(the moto endpoint) is never proxied. A plan is
made in a scratch copy of the sources (so no `.terraform/` lands in the repository), with
`-refresh=false`, and shown as JSON. `apply()` does the same against a moto server, through the
`endpoint` variable the fixtures that support it declare.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

# The hashicorp/aws version the mirror holds, as a configuration requires it.
REQUIRED_AWS = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
"""

# The provider block of a fixture that brings none: dummy credentials, nothing ever called.
OFFLINE_PROVIDER = (
    REQUIRED_AWS
    + """
provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
"""
)

CANDIDATES = ("/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins")
# every non-loopback HTTP(S) request of terraform and its providers goes here, and is refused
REFUSING_PROXY = "http://127.0.0.1:9"
LOOPBACK = "127.0.0.1,localhost,::1"


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def find_mirror() -> Path | None:
    """The folder that holds `registry.terraform.io/hashicorp/aws` (a filesystem mirror)."""
    env = os.environ.get("AUDITOR_TF_MIRROR")
    roots = [Path(env)] if env else []
    roots += [Path(c) for c in CANDIDATES] + [Path.home() / ".terraform.d" / "plugins"]
    for root in roots:
        if (root / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return root
    for base in (Path("/opt"), Path("/usr/local"), Path("/usr/share")):
        for depth in range(1, 4):
            for hit in base.glob("/".join(["*"] * depth) + "/registry.terraform.io"):
                if (hit / "hashicorp" / "aws").is_dir():
                    return hit.parent
    return None


def available() -> str | None:
    """None when plans can be made here, else why not."""
    if terraform_binary() is None:
        return "terraform is not installed"
    if find_mirror() is None:
        return "no hashicorp/aws provider mirror (set AUDITOR_TF_MIRROR)"
    return None


def environment(work: Path) -> dict[str, str]:
    mirror = find_mirror()
    if mirror is None:
        raise RuntimeError("no hashicorp/aws provider mirror")
    config = work / "terraform.tfrc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/hashicorp/*"]\n  }}\n'
        "}\n"
    )
    proxies = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_")) and k.upper() not in proxies
    }
    env.update(dict.fromkeys(proxies[:3], REFUSING_PROXY))
    env.update(
        NO_PROXY=LOOPBACK,
        TF_CLI_CONFIG_FILE=str(config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        TF_DATA_DIR=str(work / ".terraform"),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_EC2_METADATA_DISABLED="true",
        HOME=str(work),
    )
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    binary = terraform_binary() or "terraform"
    done = subprocess.run(
        [binary, *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"terraform {' '.join(args)} failed in {cwd}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


def workspace(sources: Path, work: Path | None = None) -> Path:
    """A scratch copy of a fixture's sources (the .tf files and modules, no plan.json), with the
    offline provider block when the fixture brings no `providers.tf` of its own."""
    work = work or Path(tempfile.mkdtemp(prefix="auditor-tf-"))
    dest = work / "src"
    shutil.copytree(sources, dest, ignore=shutil.ignore_patterns("plan.json", ".terraform*", "*.tfstate*"))
    if not (dest / "providers.tf").exists():
        (dest / "providers.tf").write_text(OFFLINE_PROVIDER)
    return dest


def init(src: Path) -> dict[str, str]:
    env = environment(src.parent)
    _run(["init", "-input=false", "-backend=false"], src, env)
    return env


def plan_json(
    sources: Path, variables: dict[str, str] | None = None, work: Path | None = None
) -> dict[str, Any]:
    """`terraform show -json` of a fresh offline plan of `sources`."""
    src = workspace(sources, work)
    env = init(src)
    var_args = [f"-var={k}={v}" for k, v in (variables or {}).items()]
    _run(["plan", "-refresh=false", "-input=false", "-lock=false", "-out=plan.bin", *var_args], src, env)
    doc: dict[str, Any] = json.loads(_run(["show", "-json", "plan.bin"], src, env))
    doc.pop("timestamp", None)  # the only part that changes from run to run
    return doc


def apply(sources: Path, variables: dict[str, str], work: Path | None = None) -> dict[str, Any]:
    """Apply `sources` (to a local emulator, through `variables`) and return the plan applied."""
    src = workspace(sources, work)
    env = init(src)
    var_args = [f"-var={k}={v}" for k, v in variables.items()]
    _run(["plan", "-input=false", "-lock=false", "-out=plan.bin", *var_args], src, env)
    doc: dict[str, Any] = json.loads(_run(["show", "-json", "plan.bin"], src, env))
    _run(["apply", "-input=false", "-lock=false", "-auto-approve", "plan.bin"], src, env, timeout=600)
    return doc
