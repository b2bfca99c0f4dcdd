"""eros-db over stdio with a size and a depth limit on every request.

The SDK's stdio transport reads each line whole, however long (a 401 MB request was read and
processed for 16 s), and drops a line its JSON parser refuses without an answer (JSON nested
200 deep left the client waiting for ever). Here every line is read in bounded pieces first:

- longer than `MAX_REQUEST_BYTES` (4 MiB, the SDK's own limit on an HTTP request body):
  answered at once with REQUEST_TOO_LARGE, the rest of the line skipped unparsed;
- nested deeper than `MAX_JSON_DEPTH` (64 arrays or objects, the request's own envelope
  included): REQUEST_TOO_DEEP;
- not JSON: the JSON-RPC parse error, INVALID_JSON.

Each answer is a JSON-RPC error to the request's id (the id read from the head of a line too
large to parse) whose `data.error_code` is the code; the server never sees the line.
"""

from __future__ import annotations

import json
import re
import sys
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError

#: A request line may hold at most this many bytes before its newline.
MAX_REQUEST_BYTES = 4 * 1024 * 1024
#: … and nest at most this many arrays and objects (a tool call's envelope uses 3).
MAX_JSON_DEPTH = 64
#: How much of an over-size line is kept to find its id; the rest is skipped in pieces this big.
_HEAD_BYTES = 64 * 1024
_SKIP_BYTES = 1024 * 1024
_LEADING_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,256}")')


@dataclass(frozen=True, slots=True)
class RequestLimits:
    max_bytes: int = MAX_REQUEST_BYTES
    max_depth: int = MAX_JSON_DEPTH


def json_depth(value: Any, limit: int) -> int:
    """How deeply arrays and objects nest in `value` (a scalar is 0); stops counting past `limit`."""
    if not isinstance(value, dict | list):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _request_id(message: Any) -> int | str | None:
    candidate = message.get("id") if isinstance(message, dict) else None
    return candidate if isinstance(candidate, int | str) and not isinstance(candidate, bool) else None


def _leading_id(head: bytes) -> int | str | None:
    """The id of a request too large to parse: JSON-RPC clients write it before the params."""
    found = _LEADING_ID.search(head.split(b'"params"', 1)[0])
    return _request_id({"id": json.loads(found.group(1))}) if found else None


def refusal(request_id: int | str | None, rpc_code: int, code: str, message: str) -> SessionMessage:
    """The JSON-RPC error a refused line gets, its `data.error_code` a stable code."""
    error = ErrorData(code=rpc_code, message=message, data={"error_code": code, "error": message})
    return SessionMessage(JSONRPCError(jsonrpc="2.0", id=request_id, error=error))


class BoundedLines:
    """The lines the SDK's transport reads: only those within the limits; the rest are answered."""

    def __init__(
        self, source: BinaryIO, limits: RequestLimits, answers: MemoryObjectSendStream[SessionMessage]
    ) -> None:
        self.source, self.limits, self.answers = source, limits, answers

    async def _read(self, at_most: int) -> bytes:
        return await anyio.to_thread.run_sync(self.source.readline, at_most)

    def __aiter__(self) -> BoundedLines:
        return self

    async def __anext__(self) -> str:
        while True:
            line = await self._read(self.limits.max_bytes + 2)
            if not line:
                self.answers.close()
                raise StopAsyncIteration
            accepted = await self._judge(line)
            if accepted is not None:
                return accepted

    async def _judge(self, line: bytes) -> str | None:
        body = line.removesuffix(b"\n").removesuffix(b"\r")
        if len(body) > self.limits.max_bytes:
            await self.answers.send(self._too_large(body[:_HEAD_BYTES]))
            while not line.endswith(b"\n"):
                line = await self._read(_SKIP_BYTES)
                if not line:
                    break
            return None
        if not body.strip():
            return None
        try:
            message = json.loads(body)
        except RecursionError:
            await self.answers.send(self._too_deep(_leading_id(body[:_HEAD_BYTES])))
            return None
        except ValueError as exc:
            await self.answers.send(
                refusal(None, PARSE_ERROR, "INVALID_JSON", f"The request is not JSON: {exc}")
            )
            return None
        if json_depth(message, self.limits.max_depth) > self.limits.max_depth:
            await self.answers.send(self._too_deep(_request_id(message)))
            return None
        return body.decode("utf-8", errors="replace")

    def _too_large(self, head: bytes) -> SessionMessage:
        limit = self.limits.max_bytes
        return refusal(
            _leading_id(head),
            INVALID_REQUEST,
            "REQUEST_TOO_LARGE",
            f"The request is larger than {limit} bytes, the eros-db server's limit; nothing was done.",
        )

    def _too_deep(self, request_id: int | str | None) -> SessionMessage:
        depth = self.limits.max_depth
        return refusal(
            request_id,
            INVALID_REQUEST,
            "REQUEST_TOO_DEEP",
            f"The request nests arrays and objects deeper than {depth} levels, the eros-db "
            "server's limit; nothing was done.",
        )


async def _forward(answers: MemoryObjectReceiveStream[SessionMessage], write: Any) -> None:
    """Put the refusals on the wire beside the server's own answers."""
    async with answers:
        async for answer in answers:
            with suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                await write.send(answer)


async def serve_stdio(
    server: MCPServer, limits: RequestLimits = RequestLimits(), source: BinaryIO | None = None
) -> None:
    """Serve `server` over stdin/stdout (or `source`/stdout) until the client hangs up."""
    answers_in, answers_out = anyio.create_memory_object_stream[SessionMessage](0)
    lines = BoundedLines(source or sys.stdin.buffer, limits, answers_in)
    # The SDK serves an MCPServer only over its own transports; its in-memory client reaches the
    # low-level server the same way to serve it over other streams.
    lowlevel = server._lowlevel_server
    async with (
        stdio_server(stdin=cast(Any, lines)) as (read, write),
        anyio.create_task_group() as tasks,
    ):
        tasks.start_soon(_forward, answers_out, write)
        await lowlevel.run(read, write, lowlevel.create_initialization_options())
        answers_in.close()
