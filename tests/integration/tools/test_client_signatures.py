"""ErosClient restates each tool's parameters by hand: this fails the day one drifts from its tool."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from eros.infra.mcp_clients import ErosClient
from eros.tools.server import TOOLS


def _named(fn: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    """The parameters a caller names (no self/env, no **rest)."""
    return {
        name: p
        for name, p in list(inspect.signature(fn).parameters.items())[1:]
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }


@pytest.mark.parametrize("tool", TOOLS, ids=lambda fn: fn.__name__)
def test_every_tool_has_a_client_method_with_the_tools_names_and_defaults(tool: Callable[..., Any]) -> None:
    method = getattr(ErosClient, tool.__name__, None)
    assert method is not None, f"ErosClient has no {tool.__name__}"
    tool_params, client_params = _named(tool), _named(method)
    assert set(client_params) <= set(tool_params), "the client names a parameter the tool does not take"
    for name, param in client_params.items():
        assert param.default == tool_params[name].default, f"{tool.__name__}({name}=…) drifted"
    required = {n for n, p in tool_params.items() if p.default is inspect.Parameter.empty}
    assert required <= set(client_params), "the client cannot pass a parameter the tool requires"
