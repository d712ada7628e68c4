"""Credentials and SDK clients for one scan, and how azure-core's errors map to an ErrorKind.

Every client runs the same read-only pipeline: request id, headers, user agent, content decoding,
the bearer-token policy for the Resource Manager scope, and a hook that counts each HTTP request
(and reads, once, whom the bearer token names: the identity of the chain of custody).
Two policies of the SDK default are left out on purpose:
- retries: the session's `RetryPolicy` retries throttling (exactly as long as Retry-After says)
  and unavailability, so each request is counted and the final failure is classified once;
- automatic resource-provider registration: on a 409 `MissingSubscriptionRegistration` the SDK
  would POST a registration, a write. A read-only scanner records the 409 instead.
Redirects are not followed either, so a token is never sent to another host.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.jwt_claims import bearer_claims
from auditor.models import ErrorKind
from auditor.providers.azure import AzureOptions
from auditor.runtime import CallFailed, kind_for_status, retry_after_seconds

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

PUBLIC_ARM = "https://management.azure.com"
# The Resource Manager endpoint of each cloud, by its Microsoft Entra authority host.
CLOUDS = {
    "login.microsoftonline.com": PUBLIC_ARM,
    "login.microsoftonline.us": "https://management.usgovcloudapi.net",
    "login.chinacloudapi.cn": "https://management.chinacloudapi.cn",
}
USER_AGENT = "auditor-azure/read-only"
# Any GUID: generic reads by id never use the client's subscription.
_NO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class AzureClients:
    """What a test or a library caller injects as `CollectRun.clients` for Azure (the shape of
    `auditor.scan.collect(..., clients={"azure": AzureClients(...)})`): the credential to use
    instead of the one `--auth` names, the CA bundle (or False) to verify the endpoint with, and
    the sleep the retry policy waits with."""

    credential: TokenCredential
    connection_verify: str | bool = True
    sleep: Callable[[float], None] = time.sleep


def principal_of(authorization: str) -> str | None:
    """Who a bearer token names, from its unverified claims: the user principal name or the
    application id, the object id and the tenant (`alice@contoso.com (object id ..., tenant ...)`).
    This is the identity of the chain of custody; the token itself is never kept. None for a token
    that is not a JWT or carries no object id."""
    claims = bearer_claims(authorization)
    if claims is None or not isinstance(claims.get("oid"), str):
        return None
    who = claims.get("upn") or claims.get("unique_name") or claims.get("appid") or claims.get("azp")
    where = f", tenant {claims['tid']}" if isinstance(claims.get("tid"), str) else ""
    return f"{who or 'principal'} (object id {claims['oid']}{where})"


def authority_host() -> str | None:
    """AZURE_AUTHORITY_HOST without its scheme (login.microsoftonline.us), if set."""
    value = os.environ.get("AZURE_AUTHORITY_HOST", "").strip()
    return value.removeprefix("https://").rstrip("/") or None


def arm_endpoint(opts: AzureOptions) -> str:
    """--arm-endpoint, else the Resource Manager of AZURE_AUTHORITY_HOST's cloud, else the public one."""
    if opts.arm_endpoint:
        return opts.arm_endpoint
    host = authority_host()
    return CLOUDS.get(host, PUBLIC_ARM) if host else PUBLIC_ARM


def make_credential(opts: AzureOptions) -> TokenCredential:
    """The azure-identity credential `--auth` names. Nothing is fetched until the first request."""
    from azure import identity

    kw: dict[str, Any] = {}
    host = authority_host()
    if host:
        kw["authority"] = host
    if opts.auth == "cli":
        return identity.AzureCliCredential(tenant_id=opts.tenant or "")
    if opts.auth == "environment":
        return identity.EnvironmentCredential(**kw)
    if opts.auth == "managed-identity":
        return identity.ManagedIdentityCredential(client_id=opts.client_id)
    if opts.auth == "workload-identity":
        return identity.WorkloadIdentityCredential(tenant_id=opts.tenant, client_id=opts.client_id, **kw)
    return identity.DefaultAzureCredential(
        managed_identity_client_id=opts.client_id,
        workload_identity_client_id=opts.client_id,
        workload_identity_tenant_id=opts.tenant,
        interactive_browser_tenant_id=opts.tenant,
        exclude_interactive_browser_credential=True,
        **kw,
    )


class Clients:
    """The four SDK clients of one scan, sharing one connection pool sized for the concurrency."""

    def __init__(
        self,
        credential: TokenCredential,
        endpoint: str,
        *,
        verify: str | bool,
        timeout: float,
        pool: int,
        on_request: Callable[[], None],
        on_principal: Callable[[str], None] = lambda _who: None,
    ) -> None:
        """`on_request` is called for every HTTP request; `on_principal` once, with who the bearer
        token of the first authenticated request names (see `principal_of`)."""
        import requests
        from azure.core.pipeline import policies
        from azure.core.pipeline.transport import RequestsTransport
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy
        from azure.mgmt.managementgroups import ManagementGroupsMgmtClient
        from azure.mgmt.resource.resources import ResourceManagementClient
        from azure.mgmt.resource.subscriptions import SubscriptionClient
        from azure.mgmt.resourcegraph import ResourceGraphClient
        from urllib3.util.retry import Retry

        self.endpoint = endpoint
        seen: list[str] = []

        def hook(request: Any) -> None:
            on_request()
            if not seen:
                who = principal_of(str(request.http_request.headers.get("Authorization", "")))
                if who is not None:
                    seen.append(who)
                    on_principal(who)

        self.scope = f"{endpoint}/.default"
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=4,
            pool_maxsize=max(pool, 4),
            max_retries=Retry(total=False, redirect=False, raise_on_status=False),
        )
        self._session.mount("https://", adapter)

        def common() -> dict[str, Any]:
            return {
                "base_url": endpoint,
                "credential_scopes": [self.scope],
                "policies": [
                    policies.RequestIdPolicy(),
                    policies.HeadersPolicy(),
                    policies.UserAgentPolicy(base_user_agent=USER_AGENT),
                    policies.ContentDecodePolicy(),
                    ARMChallengeAuthenticationPolicy(credential, self.scope),
                    policies.CustomHookPolicy(raw_request_hook=hook),
                ],
                "transport": RequestsTransport(
                    session=self._session,
                    session_owner=False,
                    connection_verify=verify,
                    read_timeout=timeout,
                    connection_timeout=min(timeout, 30.0),
                ),
            }

        self.subscriptions = SubscriptionClient(credential, **common())
        self.management_groups = ManagementGroupsMgmtClient(credential, **common())
        self.graph = ResourceGraphClient(credential, **common())
        self.arm = ResourceManagementClient(credential, _NO_SUBSCRIPTION, **common())

    def close(self) -> None:
        for client in (self.subscriptions, self.management_groups, self.graph, self.arm):
            client.close()
        self._session.close()


# ------------------------------------------------------------------------------ errors


def _arm_error(exc: Any) -> tuple[str, str]:
    """(code, message) of an ARM error body (`{"error": {"code", "message"}}`), as azure-core parsed it."""
    err = getattr(exc, "error", None)
    code = str(getattr(err, "code", "") or "")
    message = str(getattr(err, "message", "") or "")
    if not message:
        message = str(getattr(exc, "reason", "") or exc).splitlines()[0]
    return code, message[:500]


def call_failed(operation: str, exc: BaseException) -> CallFailed | None:
    """The CallFailed for an azure-core / azure-identity exception (None: not one of theirs), with
    the HTTP status and the server's Retry-After, so the session's retry honours it."""
    from azure.core import exceptions as E

    if isinstance(exc, E.HttpResponseError) and exc.status_code:
        status = int(exc.status_code)
        code, message = _arm_error(exc)
        response = getattr(exc, "response", None)
        header = response.headers.get("Retry-After") if response is not None else None
        text = f"HTTP {status} {code}: {message}" if code else f"HTTP {status}: {message}"
        return CallFailed(
            operation, kind_for_status(status), text, status=status, retry_after=retry_after_seconds(header)
        )
    found = classify(exc)
    if found is None:
        return None
    return CallFailed(operation, found[0], found[1])


def classify(exc: BaseException) -> tuple[ErrorKind, str] | None:
    """The ErrorKind of what azure-core and azure-identity raise without an HTTP status."""
    from azure.core import exceptions as E

    if isinstance(exc, E.ClientAuthenticationError):
        text = str(exc.message or exc).splitlines()[0]
        return ErrorKind.ACCESS_DENIED, f"could not sign in: {text}"[:500]
    if isinstance(exc, E.ServiceRequestTimeoutError | E.ServiceResponseTimeoutError):
        return ErrorKind.TIMEOUT, f"no answer in time: {type(exc).__name__}"
    if isinstance(exc, E.ServiceRequestError | E.ServiceResponseError):
        return ErrorKind.UNREACHABLE, f"cannot reach Resource Manager: {type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, E.HttpResponseError):
        return ErrorKind.ERROR, str(exc).splitlines()[0][:500]
    return None


def guarded(operation: str, fn: Callable[[], Any]) -> Callable[[], Any]:
    """`fn` with azure exceptions turned into CallFailed (for Session.call)."""

    def run() -> Any:
        try:
            return fn()
        except Exception as exc:
            failed = call_failed(operation, exc)
            if failed is None:
                raise
            raise failed from None

    return run
