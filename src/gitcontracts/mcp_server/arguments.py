"""A tool's parameters: their JSON Schema (what `tools/list` shows a client) and the check of a call's arguments
against it, so a wrong call is a usage error (2) that names the parameter, before any git runs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from gitcontracts.errors import UsageError


@dataclass(frozen=True)
class Param:
    """One parameter: its JSON Schema type ("" for any JSON value), what it means, and whether it is required."""
    type: str
    description: str
    required: bool = False
    minimum: int | None = None


# JSON Schema's types as Python sees the decoded JSON; a bool is not a number (Python's bool is an int).
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "number": (int, float),
                                               "boolean": (bool,), "object": (dict,), "array": (list,)}


def input_schema(params: Mapping[str, Param]) -> dict[str, Any]:
    """The JSON Schema of a tool's arguments."""
    properties = {name: _property(param) for name, param in params.items()}
    required = [name for name, param in params.items() if param.required]
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _property(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": param.description}
    if param.type:
        schema["type"] = param.type
    if param.minimum is not None:
        schema["minimum"] = param.minimum
    return schema


def checked(tool: str, params: Mapping[str, Param], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """`arguments` with every parameter named (None when not given), once they fit `params`; else UsageError."""
    unknown = sorted(set(arguments) - set(params))
    if unknown:
        raise UsageError(f"{tool}: unknown argument {unknown[0]!r}", hint=f"{tool} takes {', '.join(params) or 'none'}")
    for name, param in params.items():
        problem = _problem(param, arguments.get(name))
        if problem:
            raise UsageError(f"{tool}: argument {name!r} {problem}", hint=f"{name}: {param.description}")
    return {name: arguments.get(name) for name in params}


def _problem(param: Param, value: Any) -> str | None:
    if value is None:
        return "is required" if param.required else None
    if param.type and (isinstance(value, bool) and param.type != "boolean"
                       or not isinstance(value, _PYTHON_TYPES[param.type])):
        return f"must be of type {param.type}"
    if param.minimum is not None and value < param.minimum:
        return f"must be at least {param.minimum}"
    return None
