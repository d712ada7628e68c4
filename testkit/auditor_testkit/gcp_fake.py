"""A local Cloud Asset Inventory v1 REST API, the OAuth2 token endpoint and IAM Credentials, plus
the reference GCP estate: what the real `google-cloud-asset` and `google-auth` clients talk to.

No emulator of Cloud Asset Inventory exists, so this fake speaks its REST shape:

- `GET /v1/{parent}/assets` (ListAssets): `parent` is organizations/N, folders/N or projects/ID|N;
  `contentType` by number (the REST transport sends `$alt=json;enum-encoding=int`) or name;
  `assetTypes` exact or RE2-like regular expressions (an unknown type is 400 INVALID_ARGUMENT
  naming it, with a BadRequest field violation); `readTime` echoed (the same time must be sent on
  every page); `pageSize` 1..1000 (default 100) with opaque `nextPageToken`s; enums in the answer
  as numbers when the request asks for `enum-encoding=int`.
- `POST /token`: the OAuth2 JWT-bearer grant of service-account keys. The assertion's RS256
  signature is verified against the public key registered for its issuer, and its audience must be
  Google's token endpoint (as google-auth writes it) or this one: the whole real google-auth path runs offline.
- `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken` (IAM Credentials), for
  `--impersonate-service-account`.
- Errors in Google's JSON shape (`{"error": {"code", "message", "status", "details"}}`) with
  their HTTP and gRPC codes; RESOURCE_EXHAUSTED carries a google.rpc.RetryInfo `retryDelay`.
- Authorization: every API request needs a bearer token this fake issued (unless
  `require_auth=False`); with `grants`, a principal lacking the IAM permission a request needs is
  answered 403 PERMISSION_DENIED, and every permission checked is counted in `permissions`.

`reference_estate()` builds two organizations: `pass-org` (every resource configured well) and
`fail-org` (every resource configured badly), with folders, ACTIVE projects named pass-* / fail-*,
one project that is DELETE_REQUESTED, and one `mixed-ops` project for the cases that cannot follow
the naming (a recent user-managed key, an RSASHA1-signed zone). `bulk_estate()` is the benchmark's.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from auditor_testkit.fakeapi import FakeAPI, Request, Response, paginate

__all__ = [
    "CANARY",
    "CONTENT_TYPES",
    "NO_METADATA_SERVER",
    "FakeCloudAsset",
    "bulk_estate",
    "export_records",
    "reference_estate",
    "service_account_key_file",
]

CANARY = "canary-Sup3rS3cret-7f9c2e"  # planted in VM metadata: must appear in no output
# google-auth off the GCE metadata server, for every process that scans this fake (tests, the
# demo recorder, the benchmark, gcloud): set in the environment before google-auth first imports
# its metadata module, which reads them then. NO_GCE_CHECK is compared with "true" in lower case
# ("True" is not honoured); a probe that still happens goes to GCE_METADATA_IP, a closed port.
NO_METADATA_SERVER = {
    "NO_GCE_CHECK": "true",
    "GCE_METADATA_HOST": "127.0.0.1:1",
    "GCE_METADATA_IP": "127.0.0.1:1",
}
CONTENT_TYPES = {1: "RESOURCE", 2: "IAM_POLICY", 4: "ORG_POLICY", 5: "ACCESS_POLICY"}
_CONTENT_BY_NAME = {v: k for k, v in CONTENT_TYPES.items()}
PERMISSION_FOR_CONTENT = {
    "RESOURCE": "cloudasset.assets.listResource",
    "IAM_POLICY": "cloudasset.assets.listIamPolicy",
    "ORG_POLICY": "cloudasset.assets.listOrgPolicy",
    "ACCESS_POLICY": "cloudasset.assets.listAccessPolicy",
}
GET_ACCESS_TOKEN = "iam.serviceAccounts.getAccessToken"
GOOGLE_TOKEN_AUDIENCE = (
    "https://oauth2.googleapis.com/token"  # google-auth's JWT audience, whatever token_uri says
)
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_LOG_TYPES = {"ADMIN_READ": 1, "DATA_WRITE": 2, "DATA_READ": 3}
_ALL_VALUES = {"ALLOW": 1, "DENY": 2}
SUPPORTED_ASSET_TYPES = frozenset(
    {
        "cloudresourcemanager.googleapis.com/Organization",
        "cloudresourcemanager.googleapis.com/Folder",
        "cloudresourcemanager.googleapis.com/Project",
        "iam.googleapis.com/ServiceAccount",
        "iam.googleapis.com/ServiceAccountKey",
        "iam.googleapis.com/Role",
        "logging.googleapis.com/LogSink",
        "logging.googleapis.com/LogBucket",
        "compute.googleapis.com/Network",
        "compute.googleapis.com/Firewall",
        "compute.googleapis.com/Subnetwork",
        "compute.googleapis.com/Instance",
        "compute.googleapis.com/Project",
        "compute.googleapis.com/Disk",
        "dns.googleapis.com/ManagedZone",
        "storage.googleapis.com/Bucket",
        "sqladmin.googleapis.com/Instance",
        "bigquery.googleapis.com/Dataset",
        "bigquery.googleapis.com/Table",
        "cloudkms.googleapis.com/CryptoKey",
        "cloudkms.googleapis.com/KeyRing",
        "container.googleapis.com/Cluster",
        "notebooks.googleapis.com/Instance",
        "aiplatform.googleapis.com/Dataset",
        "aiplatform.googleapis.com/Endpoint",
        "aiplatform.googleapis.com/Model",
        "pubsub.googleapis.com/Topic",
    }
)


def _b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def service_account_key_file(
    path: Path, email: str, token_uri: str, project: str = "scanner-project"
) -> bytes:
    """Write a service-account key file with a fresh RSA key whose `token_uri` is `token_uri`;
    return the public key (PEM) to register with `FakeCloudAsset.add_service_account`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": email,
        "client_id": str(secrets.randbelow(10**20)),
        "auth_uri": token_uri.rsplit("/", 1)[0] + "/auth",
        "token_uri": token_uri,
        "universe_domain": "googleapis.com",
    }
    path.write_text(json.dumps(info, indent=2), "utf-8")
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _encode_enums(value: Any) -> Any:
    """API JSON with enum fields as numbers, as the server answers `enum-encoding=int`."""
    if isinstance(value, list):
        return [_encode_enums(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k == "logType" and isinstance(v, str):
            out[k] = _LOG_TYPES.get(v, 0)
        elif k == "allValues" and isinstance(v, str):
            out[k] = _ALL_VALUES.get(v, 0)
        elif k == "data":  # resource.data is the service's own JSON: left as it is
            out[k] = v
        else:
            out[k] = _encode_enums(v)
    return out


def _view(asset: Mapping[str, Any], content: str) -> dict[str, Any] | None:
    """The asset as ListAssets answers it for one content type (None: nothing of that content)."""
    base = {k: asset[k] for k in ("name", "assetType", "ancestors", "updateTime") if k in asset}
    key = {"RESOURCE": "resource", "IAM_POLICY": "iamPolicy", "ORG_POLICY": "orgPolicy"}.get(content)
    if key is None or key not in asset:
        return None
    return {**base, key: asset[key]}


def export_records(
    assets: Iterable[Mapping[str, Any]], content: str, spelling: str = "snake"
) -> list[dict[str, Any]]:
    """What `gcloud asset export` (snake: proto field names, through the real Asset message) or
    `gcloud asset list --format=json` (camel: JSON names) writes for this state and content type."""
    views = [v for a in assets if (v := _view(a, content)) is not None]
    if spelling == "camel":
        return views
    from google.cloud import asset_v1
    from google.protobuf.json_format import MessageToDict, ParseDict

    out = []
    for v in views:
        msg = ParseDict(v, asset_v1.Asset.pb(asset_v1.Asset()))
        out.append(MessageToDict(msg, preserving_proto_field_name=True))
    return out


class FakeCloudAsset(FakeAPI):
    name = "gcp"

    def __init__(
        self,
        assets: Iterable[Mapping[str, Any]],
        *,
        require_auth: bool = True,
        grants: Mapping[str, Iterable[str]] | None = None,
        supported: Iterable[str] = SUPPORTED_ASSET_TYPES,
        latency: float = 0.0,
    ) -> None:
        super().__init__(latency=latency)
        self.assets = [dict(a) for a in assets]
        self.require_auth = require_auth
        self.grants = {p: set(v) for p, v in grants.items()} if grants is not None else None
        self.supported = set(supported)
        self.keys: dict[str, bytes] = {}  # service account email -> public key PEM
        self.tokens: dict[str, str] = {}  # access token -> principal
        self.permissions: Counter[str] = Counter()  # every IAM permission a request needed
        self.read_times: set[str] = set()
        self.principals: Counter[str] = Counter()  # who called ListAssets
        self.denied: list[tuple[str, str | None]] = []  # (parent, content or None)
        self._state = threading.Lock()
        self._numbers = self._project_numbers()
        self.add_route("GET", "/v1/{parent:path}/assets", self.list_assets, name="assets.list")
        self.add_route("POST", "/token", self.token, name="oauth2.token")
        self.add_route(
            "POST",
            "/v1/projects/-/serviceAccounts/{email}:generateAccessToken",
            self.generate_access_token,
            name="iamcredentials.generateAccessToken",
        )

    # ------------------------------------------------------------------ configuration
    def _project_numbers(self) -> dict[str, str]:
        out = {}
        for a in self.assets:
            if a.get("assetType") == "cloudresourcemanager.googleapis.com/Project":
                d = a["resource"]["data"]
                out[str(d["projectId"])] = str(d["projectNumber"])
        return out

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def add_service_account(self, email: str, public_pem: bytes) -> None:
        self.keys[email] = public_pem

    def issue_token(self, principal: str) -> str:
        token = "ya29.fake-" + secrets.token_urlsafe(16)
        with self._state:
            self.tokens[token] = principal
        return token

    def deny(self, parent: str, content: str | None = None) -> None:
        """Answer 403 PERMISSION_DENIED to ListAssets on `parent` (one content type, or all)."""
        self.denied.append((self._canonical(parent), content))

    def listing(self, parent: str, content: str | None = None) -> Any:
        """A fault target: ListAssets requests on `parent` (and content type)."""
        want = self._canonical(parent)

        def match(r: Request) -> bool:
            return (
                r.route == "assets.list"
                and self._canonical(r.params.get("parent", "")) == want
                and (content is None or self._content(r) == content)
            )

        return match

    def throttle_listing(
        self, parent: str, content: str | None = None, *, retry_delay: float = 0.01, times: int | None = 1
    ) -> Any:
        body = {
            "error": {
                "code": 429,
                "message": "Quota exceeded for quota metric 'List Assets requests' of service cloudasset.googleapis.com.",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_delay}s"}
                ],
            }
        }
        return self.fail(self.listing(parent, content), 429, body=body, times=times)

    # ------------------------------------------------------------------ hooks
    def error_response(self, request: Request, status: int, message: str) -> Response:
        return Response(
            status, {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}
        )

    def _principal(self, request: Request) -> str | None:
        """Who sent the request: a token this fake issued, or a self-signed JWT of a registered
        service-account key (google-auth sends those instead of a token when it can)."""
        auth = request.header("authorization")
        if not auth.lower().startswith("bearer "):
            return None
        token = auth.split(" ", 1)[1].strip()
        with self._state:
            known = self.tokens.get(token)
        if known is not None:
            return known
        claims = self._verified_jwt(token)
        return str(claims["iss"]) if claims is not None else None

    def _verified_jwt(self, token: str) -> dict[str, Any] | None:
        """The claims of a JWT signed (RS256) by a registered key and not expired, else None."""
        try:
            head, payload, sig = token.split(".")
            claims = json.loads(_unb64url(payload))
            public = serialization.load_pem_public_key(self.keys[str(claims.get("iss"))])
            if not isinstance(public, rsa.RSAPublicKey):
                return None
            public.verify(_unb64url(sig), f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return None
        if float(claims.get("exp", 0)) < time.time():
            return None
        return dict(claims)

    def _allowed(self, principal: str | None, permission: str) -> bool:
        with self._state:
            self.permissions[permission] += 1
        if self.grants is None:
            return True
        return principal is not None and permission in self.grants.get(principal, set())

    def before(self, request: Request) -> Response | None:
        if request.route == "oauth2.token" or not self.require_auth:
            return None
        if self._principal(request) is None:
            return self.error_response(request, 401, "Request had invalid authentication credentials.")
        return None

    # ------------------------------------------------------------------ OAuth2 and IAM Credentials
    def token(self, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Response(400, {"error": "unsupported_grant_type"})
        claims = self._verified_jwt(form.get("assertion", ""))
        if claims is None:
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if claims.get("aud") not in (GOOGLE_TOKEN_AUDIENCE, self.token_uri):
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT: audience."})
        return Response(
            200,
            {
                "access_token": self.issue_token(str(claims["iss"])),
                "expires_in": 3599,
                "token_type": "Bearer",
            },
        )

    def generate_access_token(self, request: Request) -> Response:
        target = request.params["email"]
        if not self._allowed(self._principal(request), GET_ACCESS_TOKEN):
            return self.error_response(
                request, 403, f"Permission '{GET_ACCESS_TOKEN}' denied on resource {target}"
            )
        expire = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Response(200, {"accessToken": self.issue_token(target), "expireTime": expire})

    # ------------------------------------------------------------------ ListAssets
    def _canonical(self, parent: str) -> str:
        kind, _, ident = parent.partition("/")
        if kind == "projects" and ident in self._numbers:
            return f"projects/{self._numbers[ident]}"
        return parent

    @staticmethod
    def _content(request: Request) -> str:
        raw = request.arg("contentType") or "0"
        return CONTENT_TYPES.get(int(raw), "") if raw.isdigit() else raw

    def list_assets(self, request: Request) -> Response:
        parent = self._canonical(request.params["parent"])
        content = self._content(request)
        who = self._principal(request) or "anonymous"
        with self._state:
            self.principals[who] += 1
        if content not in ("RESOURCE", "IAM_POLICY", "ORG_POLICY", "ACCESS_POLICY"):
            return self.error_response(
                request, 400, f"Request contains an invalid argument: contentType {content!r}."
            )
        if not self._allowed(self._principal(request), PERMISSION_FOR_CONTENT[content]):
            return self.error_response(
                request,
                403,
                f"The caller does not have permission {PERMISSION_FOR_CONTENT[content]} on {parent}",
            )
        if any(p == parent and c in (None, content) for p, c in self.denied):
            return self.error_response(request, 403, f"The caller does not have permission on {parent}")
        types = request.query.get("assetTypes", [])
        unknown = [t for t in types if not any(re.fullmatch(t, s) for s in self.supported)]
        if unknown:
            return Response(
                400,
                {
                    "error": {
                        "code": 400,
                        "message": f"Invalid asset types: {', '.join(unknown)}",
                        "status": "INVALID_ARGUMENT",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.rpc.BadRequest",
                                "fieldViolations": [
                                    {"field": "asset_types", "description": f"unsupported asset type {t}"}
                                    for t in unknown
                                ],
                            }
                        ],
                    }
                },
            )
        size = request.int_arg("pageSize")
        if size is not None and not 0 <= size <= 1000:
            return self.error_response(request, 400, "page_size must be between 1 and 1000")
        read_time = request.arg("readTime") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._state:
            self.read_times.add(read_time)
        chosen = []
        for a in self.assets:
            if parent not in a.get("ancestors", ()):
                continue
            if types and not any(re.fullmatch(t, a["assetType"]) for t in types):
                continue
            view = _view(a, content)
            if view is not None:
                chosen.append(view)
        scope = f"{parent}|{content}|{','.join(types)}"
        page = paginate(chosen, request.arg("pageToken"), size, default_size=100, max_size=1000, scope=scope)
        items = page.items
        if "enum-encoding=int" in (request.arg("$alt") or ""):
            items = [_encode_enums(i) for i in items]
        body: dict[str, Any] = {"readTime": read_time, "assets": items}
        if page.next_token:
            body["nextPageToken"] = page.next_token
        return Response(200, body)


# ====================================================================== the reference estate

CRM = "//cloudresourcemanager.googleapis.com/"
PASS_ORG, FAIL_ORG = "111111111111", "222222222222"


class _Estate:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.assets: list[dict[str, Any]] = []
        self._stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _days_ago(self, days: int) -> str:
        return (self.now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add(
        self,
        asset_type: str,
        name: str,
        anc: list[str],
        data: dict[str, Any] | None = None,
        *,
        location: str | None = None,
        iam: dict[str, Any] | None = None,
        org: list[dict[str, Any]] | None = None,
    ) -> None:
        a: dict[str, Any] = {
            "name": name,
            "assetType": asset_type,
            "ancestors": list(anc),
            "updateTime": self._stamp,
        }
        if data is not None:
            svc = asset_type.split(".", 1)[0]
            res: dict[str, Any] = {
                "version": "v1",
                "discoveryName": asset_type.rsplit("/", 1)[1],
                "data": data,
                "discoveryDocumentUri": f"https://{svc}.googleapis.com/$discovery/rest?version=v1",
            }
            if len(anc) > 0 and not name.startswith(CRM):
                res["parent"] = CRM + anc[0]
            if location:
                res["location"] = location
            a["resource"] = res
        if iam is not None:
            a["iamPolicy"] = {"version": 1, "etag": "BwXfake=", **iam}
        if org is not None:
            a["orgPolicy"] = org
        self.assets.append(a)

    # ---------------------------------------------------------------- hierarchy
    def org(
        self, number: str, domain: str, customer: str, iam: dict[str, Any], policies: list[dict[str, Any]]
    ) -> list[str]:
        anc = [f"organizations/{number}"]
        name = CRM + anc[0]
        self.add(
            "cloudresourcemanager.googleapis.com/Organization",
            name,
            anc,
            {
                "name": anc[0],
                "displayName": domain,
                "lifecycleState": "ACTIVE",
                "owner": {"directoryCustomerId": customer},
            },
            iam=iam,
        )
        self.add("cloudresourcemanager.googleapis.com/Organization", name, anc, org=policies)
        return anc

    def folder(self, number: str, display: str, parent: list[str], iam: dict[str, Any]) -> list[str]:
        anc = [f"folders/{number}", *parent]
        self.add(
            "cloudresourcemanager.googleapis.com/Folder",
            CRM + anc[0],
            anc,
            {"name": anc[0], "displayName": display, "parent": parent[0], "lifecycleState": "ACTIVE"},
            iam=iam,
        )
        return anc

    def project(
        self, pid: str, number: str, parent: list[str], iam: dict[str, Any] | None, state: str = "ACTIVE"
    ) -> list[str]:
        anc = [f"projects/{number}", *parent]
        kind, _, ident = parent[0].partition("/")
        self.add(
            "cloudresourcemanager.googleapis.com/Project",
            CRM + anc[0],
            anc,
            {
                "projectNumber": number,
                "projectId": pid,
                "lifecycleState": state,
                "name": pid,
                "labels": {"env": pid.split("-", 1)[0]},
                "parent": {"type": kind[:-1], "id": ident},
                "createTime": self._days_ago(500),
            },
            iam=iam,
        )
        return anc


def _binding(role: str, *members: str) -> dict[str, Any]:
    return {"role": role, "members": list(members)}


AUDIT_ALL = [
    {
        "service": "allServices",
        "auditLogConfigs": [{"logType": "ADMIN_READ"}, {"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}],
    }
]


def _bad_hierarchy_policy(domain: str) -> dict[str, Any]:
    return {
        "bindings": [
            _binding("roles/owner", "user:founder@gmail.com"),
            _binding(
                "roles/editor",
                f"group:everyone@{domain}",
                "serviceAccount:ci@fail-app.iam.gserviceaccount.com",
            ),
            _binding("roles/viewer", "allAuthenticatedUsers"),
            _binding("roles/iam.serviceAccountUser", f"user:dev@{domain}"),
            _binding("roles/iam.serviceAccountAdmin", f"user:dev@{domain}"),
            _binding("roles/cloudkms.admin", f"user:ops@{domain}"),
            _binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"user:ops@{domain}"),
        ],
        "auditConfigs": [
            {"service": "storage.googleapis.com", "auditLogConfigs": [{"logType": "ADMIN_READ"}]}
        ],
    }


def _good_hierarchy_policy(domain: str, pid: str | None = None, audit: bool = False) -> dict[str, Any]:
    bindings = [
        _binding("roles/resourcemanager.organizationViewer", f"group:auditors@{domain}"),
        _binding("roles/compute.viewer", f"group:devs@{domain}"),
        _binding("roles/cloudkms.admin", f"group:key-admins@{domain}"),
        _binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"group:apps@{domain}"),
    ]
    if pid:
        bindings.append(
            _binding("roles/storage.objectViewer", f"serviceAccount:app@{pid}.iam.gserviceaccount.com")
        )
    return {"bindings": bindings, **({"auditConfigs": AUDIT_ALL} if audit else {})}


def _vm_metadata(good: bool) -> dict[str, Any]:
    items = [
        {"key": "startup-script", "value": f"#!/bin/bash\nexport DB_PASSWORD={CANARY}\n/opt/app/run"},
        {"key": "user-data", "value": f"#cloud-config\npassword: {CANARY}"},
        {"key": "app-config", "value": f"api_token={CANARY}"},
    ]
    if good:
        items += [
            {"key": "block-project-ssh-keys", "value": "true"},
            {"key": "serial-port-enable", "value": "false"},
            {"key": "enable-oslogin", "value": "TRUE"},
        ]
    else:
        items += [
            {"key": "serial-port-enable", "value": "true"},
            {"key": "ssh-keys", "value": "admin:ssh-rsa AAAAB3Nza fake"},
        ]
    return {"fingerprint": "abc=", "kind": "compute#metadata", "items": items}


def _project_resources(e: _Estate, pid: str, number: str, anc: list[str], good: bool, domain: str) -> None:
    p = pid
    compute = f"//compute.googleapis.com/projects/{p}"
    sa = f"app@{p}.iam.gserviceaccount.com"
    region, zone = "us-central1", "us-central1-a"
    key = f"projects/{p}/locations/{region}/keyRings/main/cryptoKeys/disk"
    # IAM
    e.add(
        "iam.googleapis.com/ServiceAccount",
        f"//iam.googleapis.com/projects/{p}/serviceAccounts/{sa}",
        anc,
        {
            "name": f"projects/{p}/serviceAccounts/{sa}",
            "email": sa,
            "projectId": p,
            "uniqueId": number + "1",
            "displayName": "app",
        },
    )
    keyid = ("a1" if good else "b2") * 20
    e.add(
        "iam.googleapis.com/ServiceAccountKey",
        f"//iam.googleapis.com/projects/{p}/serviceAccounts/{sa}/keys/{keyid}",
        anc,
        {
            "name": f"projects/{p}/serviceAccounts/{sa}/keys/{keyid}",
            "keyType": "SYSTEM_MANAGED" if good else "USER_MANAGED",
            "keyAlgorithm": "KEY_ALG_RSA_2048",
            "keyOrigin": "GOOGLE_PROVIDED",
            "validAfterTime": e._days_ago(400),
            "validBeforeTime": e._days_ago(-3000),
        },
    )
    # logging
    for bucket_id, days, locked in (("_Required", 400, True), ("_Default", 400 if good else 30, good)):
        e.add(
            "logging.googleapis.com/LogBucket",
            f"//logging.googleapis.com/projects/{p}/locations/global/buckets/{bucket_id}",
            anc,
            {
                "name": f"projects/{p}/locations/global/buckets/{bucket_id}",
                "retentionDays": days,
                "locked": locked,
                "lifecycleState": "ACTIVE",
            },
            location="global",
        )
    if not good:
        e.add(
            "logging.googleapis.com/LogSink",
            f"//logging.googleapis.com/projects/{number}/sinks/errors-only",
            anc,
            {
                "name": "errors-only",
                "destination": f"storage.googleapis.com/fail-{p}-data",
                "filter": "severity>=ERROR",
                "writerIdentity": f"serviceAccount:p{number}-1@gcp-sa-logging.iam.gserviceaccount.com",
            },
        )
    # network
    if good:
        e.add(
            "compute.googleapis.com/Network",
            f"{compute}/global/networks/pass-vpc",
            anc,
            {
                "name": "pass-vpc",
                "autoCreateSubnetworks": False,
                "routingConfig": {"routingMode": "REGIONAL"},
            },
        )
        e.add(
            "compute.googleapis.com/Firewall",
            f"{compute}/global/firewalls/pass-allow-https",
            anc,
            {
                "name": "pass-allow-https",
                "network": f"https://www.googleapis.com/compute/v1/projects/{p}/global/networks/pass-vpc",
                "direction": "INGRESS",
                "priority": 1000,
                "sourceRanges": ["0.0.0.0/0"],
                "allowed": [{"IPProtocol": "tcp", "ports": ["443"]}],
            },
        )
        e.add(
            "compute.googleapis.com/Firewall",
            f"{compute}/global/firewalls/pass-ssh-from-iap",
            anc,
            {
                "name": "pass-ssh-from-iap",
                "network": "pass-vpc",
                "direction": "INGRESS",
                "sourceRanges": ["35.235.240.0/20"],
                "allowed": [{"IPProtocol": "tcp", "ports": ["22", "3389"]}],
            },
        )
        e.add(
            "compute.googleapis.com/Subnetwork",
            f"{compute}/regions/{region}/subnetworks/pass-subnet",
            anc,
            {
                "name": "pass-subnet",
                "ipCidrRange": "10.0.0.0/24",
                "privateIpGoogleAccess": True,
                "logConfig": {"enable": True},
                "purpose": "PRIVATE",
            },
            location=region,
        )
        e.add(
            "compute.googleapis.com/Subnetwork",
            f"{compute}/regions/{region}/subnetworks/na-proxy-only",
            anc,
            {"name": "na-proxy-only", "ipCidrRange": "10.1.0.0/24", "purpose": "REGIONAL_MANAGED_PROXY"},
            location=region,
        )
        e.add(
            "dns.googleapis.com/ManagedZone",
            f"//dns.googleapis.com/projects/{p}/managedZones/pass-zone",
            anc,
            {
                "name": "pass-zone",
                "dnsName": f"{p}.example.com.",
                "visibility": "public",
                "dnssecConfig": {
                    "state": "on",
                    "defaultKeySpecs": [
                        {"keyType": "keySigning", "algorithm": "rsasha256"},
                        {"keyType": "zoneSigning", "algorithm": "rsasha256"},
                    ],
                },
            },
        )
        e.add(
            "dns.googleapis.com/ManagedZone",
            f"//dns.googleapis.com/projects/{p}/managedZones/na-internal",
            anc,
            {"name": "na-internal", "dnsName": "internal.", "visibility": "private"},
        )
    else:
        e.add(
            "compute.googleapis.com/Network",
            f"{compute}/global/networks/default",
            anc,
            {"name": "default", "IPv4Range": "10.240.0.0/16", "gatewayIPv4": "10.240.0.1"},
        )
        e.add(
            "compute.googleapis.com/Firewall",
            f"{compute}/global/firewalls/fail-allow-all",
            anc,
            {
                "name": "fail-allow-all",
                "network": "default",
                "direction": "INGRESS",
                "sourceRanges": ["0.0.0.0/0"],
                "allowed": [{"IPProtocol": "all"}],
            },
        )
        e.add(
            "compute.googleapis.com/Subnetwork",
            f"{compute}/regions/{region}/subnetworks/fail-subnet",
            anc,
            {"name": "fail-subnet", "ipCidrRange": "10.2.0.0/24", "purpose": "PRIVATE"},
            location=region,
        )
        e.add(
            "dns.googleapis.com/ManagedZone",
            f"//dns.googleapis.com/projects/{p}/managedZones/fail-zone",
            anc,
            {
                "name": "fail-zone",
                "dnsName": f"{p}.example.net.",
                "visibility": "public",
                "dnssecConfig": {"state": "off"},
            },
        )
    # compute
    meta = (
        {"items": [{"key": "enable-oslogin", "value": "TRUE"}]}
        if good
        else {"items": [{"key": "ssh-keys", "value": "root:ssh-rsa AAAA fake"}]}
    )
    e.add(
        "compute.googleapis.com/Project",
        compute,
        anc,
        {
            "name": p,
            "commonInstanceMetadata": meta,
            "defaultServiceAccount": f"{number}-compute@developer.gserviceaccount.com",
        },
    )
    vm = f"{'pass' if good else 'fail'}-vm"
    e.add(
        "compute.googleapis.com/Instance",
        f"{compute}/zones/{zone}/instances/{vm}",
        anc,
        {
            "name": vm,
            "status": "RUNNING",
            "canIpForward": not good,
            "zone": zone,
            "labels": {"app": "web"},
            "networkInterfaces": [
                {
                    "network": "x",
                    "accessConfigs": [] if good else [{"type": "ONE_TO_ONE_NAT", "natIP": "34.1.2.3"}],
                }
            ],
            "serviceAccounts": [
                {
                    "email": sa if good else f"{number}-compute@developer.gserviceaccount.com",
                    "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
                }
            ],
            "shieldedInstanceConfig": {
                "enableSecureBoot": good,
                "enableVtpm": good,
                "enableIntegrityMonitoring": good,
            },
            "metadata": _vm_metadata(good),
        },
        location=zone,
    )
    e.add(
        "compute.googleapis.com/Disk",
        f"{compute}/zones/{zone}/disks/{vm}",
        anc,
        {
            "name": vm,
            "sizeGb": "20",
            "zone": zone,
            **({"diskEncryptionKey": {"kmsKeyName": key + "/cryptoKeyVersions/1"}} if good else {}),
        },
        location=zone,
    )
    if good:
        e.add(
            "compute.googleapis.com/Instance",
            f"{compute}/zones/{zone}/instances/gke-node-1",
            anc,
            {
                "name": "gke-node-1",
                "status": "RUNNING",
                "canIpForward": True,
                "labels": {"goog-gke-node": ""},
                "networkInterfaces": [{"accessConfigs": [{"natIP": "34.9.9.9"}]}],
                "serviceAccounts": [
                    {
                        "email": f"{number}-compute@developer.gserviceaccount.com",
                        "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
                    }
                ],
                "shieldedInstanceConfig": {
                    "enableSecureBoot": True,
                    "enableVtpm": True,
                    "enableIntegrityMonitoring": True,
                },
                "metadata": {"items": [{"key": "block-project-ssh-keys", "value": "true"}]},
            },
            location=zone,
        )
    # storage
    bucket = f"{'pass' if good else 'fail'}-{p}-data"
    e.add(
        "storage.googleapis.com/Bucket",
        f"//storage.googleapis.com/{bucket}",
        anc,
        {
            "name": bucket,
            "id": bucket,
            "location": "US",
            "storageClass": "STANDARD",
            "iamConfiguration": {
                "uniformBucketLevelAccess": {"enabled": good},
                "publicAccessPrevention": "enforced" if good else "inherited",
            },
            "versioning": {"enabled": good},
        },
        location="us",
        iam={
            "bindings": [_binding("roles/storage.objectViewer", f"group:devs@{domain}")]
            if good
            else [_binding("roles/storage.objectViewer", "allUsers")]
        },
    )
    # Cloud SQL: one instance per engine
    for engine, version, flags in (
        (
            "pg",
            "POSTGRES_15",
            {
                "log_connections": "on",
                "log_disconnections": "on",
                "log_statement": "ddl",
                "log_min_duration_statement": "-1",
                "cloudsql.enable_pgaudit": "on",
            },
        ),
        ("mysql", "MYSQL_8_0", {"local_infile": "off", "skip_show_database": "on"}),
        (
            "mssql",
            "SQLSERVER_2019_STANDARD",
            {
                "external scripts enabled": "off",
                "cross db ownership chaining": "off",
                "contained database authentication": "off",
                "remote access": "off",
                "3625": "on",
            },
        ),
    ):
        db = f"{'pass' if good else 'fail'}-{engine}"
        settings: dict[str, Any] = {
            "tier": "db-custom-2-7680",
            "ipConfiguration": {
                "ipv4Enabled": False,
                "privateNetwork": "pass-vpc",
                "sslMode": "ENCRYPTED_ONLY",
            }
            if good
            else {
                "ipv4Enabled": True,
                "authorizedNetworks": [{"value": "0.0.0.0/0", "name": "anywhere"}],
                "sslMode": "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
            },
            "backupConfiguration": {
                "enabled": good,
                "pointInTimeRecoveryEnabled": good,
                "binaryLogEnabled": good,
            },
            "databaseFlags": [{"name": k, "value": v} for k, v in flags.items()] if good else [],
        }
        e.add(
            "sqladmin.googleapis.com/Instance",
            f"//cloudsql.googleapis.com/projects/{p}/instances/{db}",
            anc,
            {
                "name": db,
                "databaseVersion": version,
                "instanceType": "CLOUD_SQL_INSTANCE",
                "region": region,
                "settings": settings,
            },
            location=region,
        )
    # BigQuery
    ds = f"{'pass' if good else 'fail'}_dataset"
    e.add(
        "bigquery.googleapis.com/Dataset",
        f"//bigquery.googleapis.com/projects/{p}/datasets/{ds}",
        anc,
        {
            "datasetReference": {"datasetId": ds, "projectId": p},
            "location": "US",
            "access": [
                {"role": "OWNER", "specialGroup": "projectOwners"},
                {"role": "READER", "groupByEmail": f"analysts@{domain}"}
                if good
                else {"role": "READER", "specialGroup": "allAuthenticatedUsers"},
            ],
            **({"defaultEncryptionConfiguration": {"kmsKeyName": key}} if good else {}),
        },
        location="US",
    )
    # KMS
    e.add(
        "cloudkms.googleapis.com/CryptoKey",
        f"//cloudkms.googleapis.com/{key}",
        anc,
        {
            "name": key,
            "purpose": "ENCRYPT_DECRYPT",
            **({"rotationPeriod": "7776000s"} if good else {}),
            "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "SOFTWARE"},
        },
        location=region,
        iam={"bindings": [_binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"serviceAccount:{sa}")]}
        if good
        else {"bindings": [_binding("roles/cloudkms.cryptoKeyDecrypter", "allUsers")]},
    )
    if good:
        signing = f"projects/{p}/locations/{region}/keyRings/main/cryptoKeys/signing"
        e.add(
            "cloudkms.googleapis.com/CryptoKey",
            f"//cloudkms.googleapis.com/{signing}",
            anc,
            {
                "name": signing,
                "purpose": "ASYMMETRIC_SIGN",
                "versionTemplate": {"algorithm": "EC_SIGN_P256_SHA256"},
            },
            location=region,
        )
    # GKE
    cluster = f"{'pass' if good else 'fail'}-cluster"
    e.add(
        "container.googleapis.com/Cluster",
        f"//container.googleapis.com/projects/{p}/locations/{region}/clusters/{cluster}",
        anc,
        {
            "name": cluster,
            "location": region,
            "currentMasterVersion": "1.30.5-gke.1",
            "privateClusterConfig": {"enablePrivateNodes": good, "enablePrivateEndpoint": good},
            "masterAuthorizedNetworksConfig": {"enabled": good},
            **({"workloadIdentityConfig": {"workloadPool": f"{p}.svc.id.goog"}} if good else {}),
            "legacyAbac": {"enabled": not good},
            "networkPolicy": {"enabled": False},
            "networkConfig": {"datapathProvider": "ADVANCED_DATAPATH" if good else "LEGACY_DATAPATH"},
            "shieldedNodes": {"enabled": good},
            "releaseChannel": {"channel": "REGULAR" if good else "UNSPECIFIED"},
            "nodePools": [{"name": "default-pool", "management": {"autoUpgrade": good, "autoRepair": True}}],
            "binaryAuthorization": {
                "evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE" if good else "DISABLED"
            },
            "masterAuth": {
                "clusterCaCertificate": "LS0tLS1CRUdJTi1mYWtl",
                **(
                    {}
                    if good
                    else {
                        "username": "admin",
                        "password": CANARY,
                        "clientKey": CANARY,
                        "clientCertificateConfig": {"issueClientCertificate": True},
                    }
                ),
            },
        },
        location=region,
    )
    # Vertex AI / Workbench
    if good:
        e.add(
            "notebooks.googleapis.com/Instance",
            f"//notebooks.googleapis.com/projects/{p}/locations/{zone}/instances/pass-notebook",
            anc,
            {
                "name": f"projects/{p}/locations/{zone}/instances/pass-notebook",
                "state": "ACTIVE",
                "gceSetup": {
                    "machineType": "e2-standard-4",
                    "disablePublicIp": True,
                    "metadata": {"notebook-disable-root": "true", "startup-script": f"echo {CANARY}"},
                    "bootDisk": {"diskEncryption": "CMEK", "kmsKey": key},
                },
            },
            location=zone,
        )
    else:
        e.add(
            "notebooks.googleapis.com/Instance",
            f"//notebooks.googleapis.com/projects/{p}/locations/{zone}/instances/fail-notebook",
            anc,
            {
                "name": f"projects/{p}/locations/{zone}/instances/fail-notebook",
                "state": "ACTIVE",
                "noPublicIp": False,
                "metadata": {"proxy-mode": "service_account", "startup-script": f"export TOKEN={CANARY}"},
            },
            location=zone,
        )
    for kind in ("Dataset", "Endpoint", "Model"):
        rid = f"{'pass' if good else 'fail'}-{kind.lower()}"
        e.add(
            f"aiplatform.googleapis.com/{kind}",
            f"//aiplatform.googleapis.com/projects/{number}/locations/{region}/{kind.lower()}s/{rid}",
            anc,
            {
                "name": f"projects/{number}/locations/{region}/{kind.lower()}s/{rid}",
                "displayName": rid,
                **({"encryptionSpec": {"kmsKeyName": key}} if good else {}),
            },
            location=region,
        )


def reference_estate(now: datetime | None = None) -> list[dict[str, Any]]:
    """Two organizations (pass-org, fail-org) in the Cloud Asset v1 JSON shape; see the module doc."""
    e = _Estate(now or datetime.now(UTC).replace(microsecond=0))
    good_org = [
        {
            "constraint": "constraints/iam.allowedPolicyMemberDomains",
            "listPolicy": {"allowedValues": ["C0pass123"]},
        },
        {"constraint": "constraints/compute.requireOsLogin", "booleanPolicy": {"enforced": True}},
        {"constraint": "constraints/compute.vmExternalIpAccess", "listPolicy": {"allValues": "DENY"}},
        {"constraint": "constraints/storage.uniformBucketLevelAccess", "booleanPolicy": {"enforced": True}},
        {"constraint": "constraints/sql.restrictPublicIp", "booleanPolicy": {"enforced": True}},
        {
            "constraint": "constraints/iam.disableServiceAccountKeyCreation",
            "booleanPolicy": {"enforced": True},
        },
    ]
    bad_org = [
        {"constraint": "constraints/iam.allowedPolicyMemberDomains", "listPolicy": {"allValues": "ALLOW"}},
        {"constraint": "constraints/compute.requireOsLogin", "booleanPolicy": {"enforced": False}},
    ]
    porg = e.org(
        PASS_ORG, "pass-org", "C0pass123", _good_hierarchy_policy("example.com", audit=True), good_org
    )
    e.add(
        "logging.googleapis.com/LogSink",
        f"//logging.googleapis.com/organizations/{PASS_ORG}/sinks/pass-org-all-logs",
        porg,
        {
            "name": "pass-org-all-logs",
            "destination": "storage.googleapis.com/pass-log-archive",
            "filter": "",
            "includeChildren": True,
            "writerIdentity": "serviceAccount:o111-1@gcp-sa-logging.iam.gserviceaccount.com",
        },
    )
    pfolder = e.folder("333333333331", "pass-folder", porg, _good_hierarchy_policy("example.com"))
    for pid, number, parent in (("pass-app", "400000000001", pfolder), ("pass-data", "400000000002", porg)):
        anc = e.project(pid, number, parent, _good_hierarchy_policy("example.com", pid))
        _project_resources(e, pid, number, anc, True, "example.com")
    log_anc = e.project(
        "pass-logging", "400000000003", porg, _good_hierarchy_policy("example.com", "pass-logging")
    )
    e.add(
        "storage.googleapis.com/Bucket",
        "//storage.googleapis.com/pass-log-archive",
        log_anc,
        {
            "name": "pass-log-archive",
            "location": "EU",
            "iamConfiguration": {
                "uniformBucketLevelAccess": {"enabled": True},
                "publicAccessPrevention": "enforced",
            },
            "versioning": {"enabled": True},
            "retentionPolicy": {
                "retentionPeriod": str(400 * 86400),
                "isLocked": True,
                "effectiveTime": e._days_ago(100),
            },
        },
        location="eu",
    )
    gone = e.project("deleted-legacy", "400000000009", porg, None, state="DELETE_REQUESTED")
    e.add(
        "storage.googleapis.com/Bucket",
        "//storage.googleapis.com/fail-deleted-leftover",
        gone,
        {
            "name": "fail-deleted-leftover",
            "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": False}},
        },
        location="us",
    )

    forg = e.org(FAIL_ORG, "fail-org", "C0fail456", _bad_hierarchy_policy("example.org"), bad_org)
    e.add(
        "logging.googleapis.com/LogSink",
        f"//logging.googleapis.com/organizations/{FAIL_ORG}/sinks/fail-audit-only",
        forg,
        {
            "name": "fail-audit-only",
            "destination": "bigquery.googleapis.com/projects/fail-data/datasets/audit",
            "filter": 'logName:"cloudaudit.googleapis.com"',
            "includeChildren": True,
        },
    )
    ffolder = e.folder("333333333332", "fail-folder", forg, _bad_hierarchy_policy("example.org"))
    for pid, number, parent in (("fail-app", "500000000001", ffolder), ("fail-data", "500000000002", forg)):
        anc = e.project(pid, number, parent, _bad_hierarchy_policy("example.org"))
        _project_resources(e, pid, number, anc, False, "example.org")
    # cases the pass-/fail- naming cannot hold: a recent user-managed key passes key_age but fails
    # user_managed_keys; an RSASHA1-signed zone passes dnssec_enabled but fails dnssec_no_rsasha1
    ops = e.project("mixed-ops", "500000000003", forg, None)
    sa = "deployer@mixed-ops.iam.gserviceaccount.com"
    e.add(
        "iam.googleapis.com/ServiceAccount",
        f"//iam.googleapis.com/projects/mixed-ops/serviceAccounts/{sa}",
        ops,
        {"name": f"projects/mixed-ops/serviceAccounts/{sa}", "email": sa, "projectId": "mixed-ops"},
    )
    e.add(
        "iam.googleapis.com/ServiceAccountKey",
        f"//iam.googleapis.com/projects/mixed-ops/serviceAccounts/{sa}/keys/recentkey",
        ops,
        {
            "name": f"projects/mixed-ops/serviceAccounts/{sa}/keys/recentkey",
            "keyType": "USER_MANAGED",
            "validAfterTime": e._days_ago(10),
        },
    )
    e.add(
        "dns.googleapis.com/ManagedZone",
        "//dns.googleapis.com/projects/mixed-ops/managedZones/weak-zone",
        ops,
        {
            "name": "weak-zone",
            "dnsName": "ops.example.org.",
            "visibility": "public",
            "dnssecConfig": {
                "state": "on",
                "defaultKeySpecs": [{"keyType": "keySigning", "algorithm": "rsasha1"}],
            },
        },
    )
    return e.assets


def bulk_estate(projects: int, per_project: int = 30, now: datetime | None = None) -> list[dict[str, Any]]:
    """One organization with `projects` projects of `per_project` assets each (the benchmark's)."""
    e = _Estate(now or datetime.now(UTC).replace(microsecond=0))
    org = e.org("999999999999", "bench-org", "C0bench", _good_hierarchy_policy("example.com", audit=True), [])
    kinds = (
        "storage.googleapis.com/Bucket",
        "compute.googleapis.com/Instance",
        "compute.googleapis.com/Firewall",
        "compute.googleapis.com/Subnetwork",
        "cloudkms.googleapis.com/CryptoKey",
        "iam.googleapis.com/ServiceAccount",
    )
    for i in range(projects):
        pid = f"bench-{i:04d}"
        anc = e.project(pid, str(600000000000 + i), org, _good_hierarchy_policy("example.com", pid))
        for j in range(per_project - 1):
            kind = kinds[j % len(kinds)]
            e.add(
                kind,
                f"//{kind.split('/')[0]}/projects/{pid}/things/r{j}",
                anc,
                {"name": f"r{j}", "email": f"r{j}@{pid}.iam.gserviceaccount.com"},
                location="us-central1",
            )
    return e.assets
