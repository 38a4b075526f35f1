"""MCP tools of qwen3.8-omni-flash, served without a network (docs/protocol/omni-next.md §9).

The real service discovers an MCP server's tools over Streamable HTTP and runs them there. The
mock reaches no server: a server's tools are the ones its `allowed_tools` declares (each taking
one string, `query`), or :data:`DECLARED_TOOLS` when it declares none, and a call returns
:func:`call_output`, the same text for the same call on every run. Event and item shapes follow
OpenAI Realtime GA (the DashScope page names the events but not their fields).
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DECLARED_TOOLS",
    "approval_request_item",
    "call_item",
    "call_output",
    "discovered_tools",
    "list_tools_item",
    "unreachable_reason",
]

_QUERY = {
    "type": "object",
    "properties": {"query": {"type": "string"}},
    "required": ["query"],
}
# What a server that names no allowed_tools offers: one search tool.
DECLARED_TOOLS: tuple[dict[str, Any], ...] = (
    {"name": "search", "description": "Search the server's content.", "input_schema": _QUERY},
)


def discovered_tools(server: dict[str, Any]) -> list[dict[str, Any]]:
    """The tools discovery finds on `server`: its allowed_tools ([] = none), else the declared."""
    allowed = server.get("allowed_tools")
    if allowed is None:
        return [dict(tool) for tool in DECLARED_TOOLS]
    return [
        {"name": name, "description": f"{name} (declared by allowed_tools)", "input_schema": _QUERY}
        for name in allowed
    ]


def unreachable_reason(server: dict[str, Any]) -> str | None:
    """Why discovery of `server` fails, or None. §9: the URL "must resolve to a public address";
    without a network the mock decides by the host alone: `localhost`, `*.local`,
    `*.internal` and private, loopback or link-local IP literals are not public."""
    host = (urlsplit(server["server_url"]).hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    else:
        private = not address.is_global
    return (
        f"The MCP server host '{host}' does not resolve to a public address." if private else None
    )


def list_tools_item(item_id: str, server: dict[str, Any]) -> dict[str, Any]:
    """The mcp_list_tools item of conversation.item.created: the final tool list, or none and
    the error when the server cannot be reached."""
    reason = unreachable_reason(server)
    item: dict[str, Any] = {
        "id": item_id,
        "object": "realtime.item",
        "type": "mcp_list_tools",
        "server_label": server["server_label"],
        "tools": [] if reason else discovered_tools(server),
    }
    if reason:
        item["error"] = {"type": "mcp_list_tools_error", "message": reason}
    return item


def call_output(server_label: str, name: str, arguments: str) -> str:
    """What the mock's MCP tool returns: a JSON string naming the call (deterministic)."""
    query = json.loads(arguments).get("query", "")
    result = {"server_label": server_label, "tool": name, "query": query, "result": "ok"}
    return json.dumps(result, ensure_ascii=False)


def call_item(
    item_id: str,
    server_label: str,
    name: str,
    arguments: str,
    *,
    status: str,
    output: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """An mcp_call item: in progress, completed with `output`, or failed with `error`."""
    item: dict[str, Any] = {
        "id": item_id,
        "object": "realtime.item",
        "type": "mcp_call",
        "status": status,
        "server_label": server_label,
        "name": name,
        "arguments": arguments,
    }
    if output is not None:
        item["output"] = output
    if error is not None:
        item["error"] = {"type": "mcp_tool_error", "message": error}
    return item


def approval_request_item(
    item_id: str, server_label: str, name: str, arguments: str
) -> dict[str, Any]:
    """The mcp_approval_request item the server creates when the server requires approval."""
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "mcp_approval_request",
        "server_label": server_label,
        "name": name,
        "arguments": arguments,
    }
