"""The rulebook (DOMAIN.md) as pure code: no I/O, no clock, no environment.

Every constant of the domain lives in exactly one module of this package;
MCP tools, generators, the validator, the legacy pipeline and the docs read it here.
"""
