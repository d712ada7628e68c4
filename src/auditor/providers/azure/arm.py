"""Generic Resource Manager reads: one GET with an explicit API version, following `nextLink`.

Settings Resource Graph does not hold are read resource by resource through the Resource
Manager client's own pipeline (`send_request`), so authentication, the counting hook and TLS
settings are those of every other call. An answer other than 200 raises the azure-core error the
generated clients raise for it (`ResourceNotFoundError`, `ClientAuthenticationError`,
`HttpResponseError` with the ARM error body parsed), which `clients.call_failed` classifies.
"""

from __future__ import annotations

from typing import Any


class ArmReader:
    def __init__(self, client: Any, max_pages: int = 1000) -> None:
        self._client = client  # azure.mgmt.resource.resources.ResourceManagementClient
        self._max_pages = max_pages

    def get(self, url: str, api_version: str, *, collection: bool = False) -> Any:
        """The body at `url` (a path below the endpoint); for a collection, every page's `value`
        as one `{"value": [...]}`."""
        body = self._get(url, {"api-version": api_version})
        if not collection:
            return body
        items = list(body.get("value") or []) if isinstance(body, dict) else []
        next_link = body.get("nextLink") if isinstance(body, dict) else None
        pages = 1
        while next_link:
            pages += 1
            if pages > self._max_pages:
                raise RuntimeError(f"{url}: more than {self._max_pages} pages (a nextLink loop?)")
            page = self._get(next_link, None)
            items.extend(page.get("value") or [] if isinstance(page, dict) else [])
            next_link = page.get("nextLink") if isinstance(page, dict) else None
        return {"value": items}

    def _get(self, url: str, params: dict[str, str] | None) -> Any:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ResourceNotFoundError,
            map_error,
        )
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        request = HttpRequest("GET", url, params=params, headers={"Accept": "application/json"})
        response = self._client.send_request(request)
        if response.status_code != 200:
            map_error(
                status_code=response.status_code,
                response=response,
                error_map={401: ClientAuthenticationError, 404: ResourceNotFoundError},
            )
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        return response.json()
