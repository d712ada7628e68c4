"""Azure Resource Graph: one query per table and batch of subscriptions, paged with `$skipToken`.

The query is written from the declarations in `resources.py` and nothing else: the ARM types the
table's resource types name, and a column for every property path their attributes are read
from (`p_properties_minimumTlsVersion = properties.minimumTlsVersion`). So a row carries only what
some check reads, and a new attribute is projected the moment it is declared.
"""

from __future__ import annotations

from typing import Any

from auditor.providers.azure.sources import Sources, column

BASE_COLUMNS = ("id", "name", "type", "location", "resourceGroup", "subscriptionId", "tags")


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def query_text(table: str, sources: Sources) -> str:
    """The KQL of `table`: its declared types, the base columns and every declared property path."""
    types = sorted(sources.of_table(table))
    projected = [f"{column(p)} = {p}" for p in sources.projection(table)]
    return "\n".join(
        (
            table,
            f"| where type in~ ({', '.join(_quote(t) for t in types)})",
            f"| project {', '.join([*BASE_COLUMNS, *projected])}",
            "| order by id asc",
        )
    )


def query_page(
    client: Any, query: str, subscriptions: list[str], top: int, skip_token: str | None
) -> dict[str, Any]:
    """One page of a query, as the service answered it (objectArray rows)."""
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    request = QueryRequest(
        subscriptions=subscriptions,
        query=query,
        options=QueryRequestOptions(top=top, skip_token=skip_token, result_format="objectArray"),
    )
    response = client.resources(request)
    return {
        "totalRecords": response.total_records,
        "count": response.count,
        "resultTruncated": str(response.result_truncated),
        "$skipToken": response.skip_token,
        "data": response.data if isinstance(response.data, list) else [],
    }
