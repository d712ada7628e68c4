"""App Service: HTTPS and TLS, FTP, managed identity, remote debugging."""

from __future__ import annotations

from auditor.checks import CheckContext, CheckSet, Verdict, failed, need, passed
from auditor.models import Resource
from auditor.providers.azure import resources as T
from auditor.providers.azure.predicates import expect

checks = CheckSet("azure")
SITE = [T.WEB_APP]
CIS = "CIS Microsoft Azure Foundations Benchmark v2.1.0: AppService"


@checks.check(
    id="azure.appservice.https_only",
    title="App Service apps redirect HTTP to HTTPS",
    severity="high",
    resource_types=SITE,
    rationale="Without HTTPS only, the app answers over plain HTTP and sessions can be read or hijacked.",
    remediation="az webapp update -g RG -n APP --https-only true.",
    references=[CIS],
)
def https_only(site: Resource, ctx: CheckContext) -> Verdict:
    return expect(
        site, "https_only", True, "HTTPS only is on", "HTTPS only is off: set httpsOnly to true on the app"
    )


@checks.check(
    id="azure.appservice.min_tls_12",
    title="App Service apps refuse TLS older than 1.2",
    severity="high",
    resource_types=SITE,
    rationale="TLS 1.0 and 1.1 are deprecated and weak.",
    remediation="az webapp config set -g RG -n APP --min-tls-version 1.2.",
    references=[CIS],
)
def min_tls(site: Resource, ctx: CheckContext) -> Verdict:
    version = need(site, "min_tls_version")
    if version in ("1.2", "1.3"):
        return passed(f"minimum TLS version is {version}")
    return failed(
        f"minimum TLS version is {version or 'not set'}: set minTlsVersion to 1.2 in the app's configuration"
    )


@checks.check(
    id="azure.appservice.ftps_only",
    title="App Service apps disable FTP, or allow FTPS only",
    severity="medium",
    resource_types=SITE,
    rationale="Plain FTP sends deployment credentials and content in clear text.",
    remediation="az webapp config set -g RG -n APP --ftps-state Disabled (or FtpsOnly).",
    references=[CIS],
)
def ftps_only(site: Resource, ctx: CheckContext) -> Verdict:
    state = need(site, "ftps_state")
    if state in ("Disabled", "FtpsOnly"):
        return passed(f"FTP state is {state}")
    return failed(f"FTP state is {state or 'AllAllowed'}: set ftpsState to Disabled or FtpsOnly")


@checks.check(
    id="azure.appservice.managed_identity",
    title="App Service apps use a managed identity",
    severity="low",
    resource_types=SITE,
    rationale="A managed identity lets the app reach Key Vault and other services without credentials in its settings.",
    remediation="az webapp identity assign -g RG -n APP, then move secrets from app settings to Key Vault references.",
    references=[CIS],
)
def managed_identity(site: Resource, ctx: CheckContext) -> Verdict:
    kind = need(site, "identity_type")
    if kind and kind != "None":
        return passed(f"managed identity: {kind}")
    return failed("the app has no managed identity: assign a system- or user-assigned identity")


@checks.check(
    id="azure.appservice.remote_debugging_off",
    title="App Service apps have remote debugging off",
    severity="medium",
    resource_types=SITE,
    rationale="Remote debugging opens extra ports and lets a debugger attach to production code.",
    remediation="az webapp config set -g RG -n APP --remote-debugging-enabled false.",
    references=[CIS],
)
def remote_debugging(site: Resource, ctx: CheckContext) -> Verdict:
    if need(site, "remote_debugging") is True:
        return failed("remote debugging is on: turn it off in the app's configuration")
    return passed("remote debugging is off")
