"""`ErosClient`'s convenience methods restate the tools' signatures by hand; this keeps them honest.

For every tool the server registers (tools.server.TOOLS), the client has one method of the same
name whose named parameters are the tool's own (minus `env`), in the tool's order, with the tool's
defaults. A method may stop early and take the rest as `**keywords`, which it forwards unchanged.
Called with only its required arguments, a method sends the tool its defaults, not others.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from eros.infra.mcp_clients import ErosClient
from eros.ports import ToolArgs, ToolResult
from eros.tools.server import TOOLS

#: ErosClient's methods that are the client itself, not a tool.
CLIENT_METHODS = frozenset({"call_tool", "list_tools"})


def _tool_parameters(tool: Callable[..., Any]) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(tool).parameters.values() if p.name != "env"]


def _method_parameters(name: str) -> tuple[list[inspect.Parameter], bool]:
    """The method's named parameters (without self), and whether it takes `**keywords` too."""
    params = list(inspect.signature(getattr(ErosClient, name)).parameters.values())[1:]
    named = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
    return named, len(named) < len(params)


def _shape(params: list[inspect.Parameter]) -> list[tuple[str, Any]]:
    return [(p.name, "required" if p.default is inspect.Parameter.empty else p.default) for p in params]


class _Recorder(ErosClient):
    """Records what a convenience method sends instead of calling a server."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, ToolArgs]] = []

    async def _call(self, name: str, arguments: ToolArgs) -> ToolResult:
        self.sent.append((name, arguments))
        return {}


def test_the_client_has_one_method_per_tool_and_no_other() -> None:
    methods = {
        name
        for name, member in vars(ErosClient).items()
        if inspect.iscoroutinefunction(member) and not name.startswith("_")
    }
    assert methods - CLIENT_METHODS == {tool.__name__ for tool in TOOLS}


@pytest.mark.parametrize("tool", TOOLS, ids=lambda tool: tool.__name__)
def test_a_method_names_the_tools_parameters_with_its_defaults(tool: Callable[..., Any]) -> None:
    named, takes_more = _method_parameters(tool.__name__)
    expected = _shape(_tool_parameters(tool))
    assert _shape(named) == expected[: len(named)]
    if not takes_more:
        assert len(named) == len(expected), "a method without **keywords must name every parameter"


@pytest.mark.parametrize("tool", TOOLS, ids=lambda tool: tool.__name__)
async def test_a_method_calls_its_tool_with_the_tools_defaults(tool: Callable[..., Any]) -> None:
    named, _ = _method_parameters(tool.__name__)
    required = {p.name: f"<{p.name}>" for p in named if p.default is inspect.Parameter.empty}
    client = _Recorder()
    await getattr(client, tool.__name__)(**required)
    defaults = {p.name: p.default for p in named if p.default not in (inspect.Parameter.empty, None)}
    assert client.sent == [(tool.__name__, {**required, **defaults})]
