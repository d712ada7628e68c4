"""The gate benchmark's corpus: Kubernetes manifests and Terraform sources of a given size.

    .venv/bin/python bench/gate_corpus.py manifests 2180 DIR   # 2,180 objects, 10 per file
    .venv/bin/python bench/gate_corpus.py terraform 170 DIR     # 170 units of 10 resources (.tf only)

Manifests mix the kinds the checks read (Namespaces, Deployments, Pods, Services, Roles,
RoleBindings, NetworkPolicies, ServiceAccounts), half of them insecure. A Terraform unit is a bucket
with its split resources, a security group with a standalone rule, an IAM policy, a subnet and an
instance: ten resources, half the units insecure. bench/gate_bench.py turns the sources into a real
plan with the local terraform (auditor_testkit.terraform).
"""

from __future__ import annotations

import sys
from pathlib import Path

from auditor_testkit.terraform import OFFLINE_PROVIDER

_KINDS = (
    "Namespace",
    "Deployment",
    "Pod",
    "Service",
    "Role",
    "RoleBinding",
    "NetworkPolicy",
    "ServiceAccount",
    "Deployment",
    "Pod",
)


def _manifest(i: int, kind: str) -> str:
    bad = i % 2 == 0
    ns = f"team-{i // 10}"
    if kind == "Namespace":
        return f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n"
    sc = (
        "securityContext: {privileged: true, runAsUser: 0}"
        if bad
        else "securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}"
    )
    container = (
        f"      - name: app\n        image: registry.example.com/app:{'latest' if bad else '1.4.2'}\n"
        f"        {sc}\n        resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}\n"
    )
    if kind == "Deployment":
        return (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {ns}\nspec:\n"
            f"  replicas: 2\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n"
            f"    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n      hostNetwork: {str(bad).lower()}\n"
            f"      containers:\n{container}"
        )
    if kind == "Pod":
        pod_container = container.replace("      - ", "  - ", 1).replace("\n        ", "\n    ")
        return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: {ns}\nspec:\n  containers:\n{pod_container}"
    if kind == "Service":
        kind_ = "LoadBalancer" if bad else "ClusterIP"
        return f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\nspec:\n  type: {kind_}\n  ports: [{{port: 80}}]\n"
    if kind == "Role":
        verbs = '["*"]' if bad else '["get", "list"]'
        what = '"*"' if bad else '"pods"'
        return (
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-{i}\n  namespace: {ns}\n"
            f'rules:\n- apiGroups: [""]\n  resources: [{what}]\n  verbs: {verbs}\n'
        )
    if kind == "RoleBinding":
        return (
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-{i}\n  namespace: {ns}\n"
            f"roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {'cluster-admin' if bad else 'view'}}}\n"
            f"subjects:\n- {{kind: ServiceAccount, name: default, namespace: {ns}}}\n"
        )
    if kind == "NetworkPolicy":
        return (
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-{i}\n  namespace: {ns}\n"
            "spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
        )
    return f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-{i}\n  namespace: {ns}\nautomountServiceAccountToken: {str(bad).lower()}\n"


def manifests(n: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    docs = [_manifest(i, _KINDS[i % len(_KINDS)]) for i in range(n)]
    for f in range(0, n, 10):
        (out / f"objects-{f // 10:04d}.yaml").write_text("---\n".join(docs[f : f + 10]))


_VPC = """
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
"""


def _unit(i: int) -> str:
    bad = i % 2 == 0
    return f"""
resource "aws_s3_bucket" "b{i}" {{
  bucket = "gate-bench-{i}"
}}

resource "aws_s3_bucket_versioning" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  versioning_configuration {{
    status = "{"Suspended" if bad else "Enabled"}"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{i}" {{
  bucket = aws_s3_bucket.b{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "b{i}" {{
  bucket                  = aws_s3_bucket.b{i}.id
  block_public_acls       = {str(not bad).lower()}
  block_public_policy     = {str(not bad).lower()}
  ignore_public_acls      = {str(not bad).lower()}
  restrict_public_buckets = {str(not bad).lower()}
}}

resource "aws_s3_bucket_logging" "b{i}" {{
  bucket        = aws_s3_bucket.b{i}.id
  target_bucket = "gate-bench-logs"
  target_prefix = "b{i}/"
}}

resource "aws_security_group" "sg{i}" {{
  name   = "web-{i}"
  vpc_id = aws_vpc.main.id
}}

resource "aws_security_group_rule" "sg{i}" {{
  type              = "ingress"
  security_group_id = aws_security_group.sg{i}.id
  from_port         = {22 if bad else 443}
  to_port           = {22 if bad else 443}
  protocol          = "tcp"
  cidr_blocks       = ["{"0.0.0.0/0" if bad else "10.0.0.0/8"}"]
}}

resource "aws_iam_policy" "p{i}" {{
  name   = "policy-{i}"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "{"*" if bad else "s3:GetObject"}", Resource = "*" }}] }})
}}

resource "aws_subnet" "s{i}" {{
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.0.{i % 256}.0/24"
  map_public_ip_on_launch = {str(bad).lower()}
}}

resource "aws_instance" "i{i}" {{
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.s{i}.id
  metadata_options {{
    http_tokens = "{"optional" if bad else "required"}"
  }}
}}
"""


def terraform(units: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "providers.tf").write_text(OFFLINE_PROVIDER + _VPC)
    per_file = 20
    for f in range(0, units, per_file):
        (out / f"units-{f // per_file:03d}.tf").write_text(
            "".join(_unit(i) for i in range(f, min(units, f + per_file)))
        )


def main(argv: list[str]) -> int:
    what, n, out = argv[0], int(argv[1]), Path(argv[2])
    {"manifests": manifests, "terraform": terraform}[what](n, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
