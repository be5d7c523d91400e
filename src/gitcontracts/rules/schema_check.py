"""Checking a document against a JSON Schema: all problems at once, each with its path and rule.

Two engines, one answer. jsonschema is the authority and reports every problem; it is
also slow to import and to run. For schemas whose keywords mean the same in draft-07
and in 2020-12 (most schemas, the built-in one included) fastjsonschema compiles a
checker that is twenty times faster; when it says "valid" we are done, when it says
anything else jsonschema runs and its problems are the answer. In both, `pattern` and
`patternProperties` run in RE2 (rules/regex.py), never in a backtracking engine."""
from __future__ import annotations

from typing import Any, Callable, Iterator, NamedTuple

from gitcontracts.errors import InvalidContent
from gitcontracts.formats.jsonpath import join_path
from gitcontracts.rules.formats import FORMATS
from gitcontracts.rules.regex import compile_pattern, search

Retrieve = Callable[[str], Any]  # a schema reference (NAME, NAME@N) -> its definition, or KeyError

_FAST_KEYWORDS = frozenset({
    "type", "properties", "required", "enum", "const", "additionalProperties", "patternProperties",
    "items", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format", "anyOf", "allOf", "oneOf",
    "not", "minProperties", "maxProperties", "propertyNames", "contains", "if", "then", "else",
    "title", "description", "default", "examples", "$comment", "$schema", "readOnly", "writeOnly", "deprecated",
})
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_VALUES = ("additionalProperties", "items", "not", "propertyNames", "contains", "if", "then", "else")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf")
_DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


class Issue(NamedTuple):
    path: str
    rule: str
    message: str


def subschemas(schema: Any) -> Iterator[Any]:
    """Every schema nested in `schema`, by keyword (property names are never taken for keywords)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield node
        for key in _SCHEMA_MAPS:
            if isinstance(node.get(key), dict):
                stack.extend(node[key].values())
        for key in _SCHEMA_VALUES:
            if key in node:
                stack.append(node[key])
        for key in _SCHEMA_LISTS + ("prefixItems",):
            if isinstance(node.get(key), list):
                stack.extend(node[key])
        for key in ("$defs", "definitions", "dependentSchemas"):
            if isinstance(node.get(key), dict):
                stack.extend(node[key].values())


def fast_compatible(schema: Any) -> bool:
    if schema.get("$schema", _DRAFT_2020) not in (_DRAFT_2020, "http://json-schema.org/draft-07/schema#"):
        return False
    for node in subschemas(schema):
        if not _FAST_KEYWORDS.issuperset(node):
            return False
        if "format" in node and node["format"] not in FORMATS:
            return False
        if isinstance(node.get("items"), list):
            return False
    return True


def patterns(schema: Any) -> set[str]:
    """Every regular expression a schema will run: its `pattern`s and `patternProperties` keys."""
    found: set[str] = set()
    for node in subschemas(schema):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        if isinstance(node.get("patternProperties"), dict):
            found.update(key for key in node["patternProperties"] if isinstance(key, str))
    return found


def refs(schema: Any) -> Iterator[str]:
    """Every $ref, wherever it stands (values of unknown keywords included: refuse, never fetch)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class CompiledSchema:
    def __init__(self, definition: Any, retrieve: Retrieve, fast: Callable[[Any], Any] | None = None) -> None:
        self.definition, self.retrieve, self.fast = definition, retrieve, fast
        self._full: Any = None

    def issues(self, instance: Any, prefix: str = "") -> list[Issue]:
        if self.fast is not None:
            try:
                self.fast(instance)
                return []
            except Exception:  # fastjsonschema.JsonSchemaException; jsonschema decides below
                pass
        return [Issue(_path(prefix, error.absolute_path), str(error.validator), _short(error.message))
                for error in self.full().iter_errors(instance)]

    def full(self) -> Any:
        if self._full is None:
            self._full = _jsonschema_validator(self.definition, self.retrieve)
        return self._full


def compile_schema(definition: Any, retrieve: Retrieve, source: str) -> CompiledSchema:
    """Check the schema against its metaschema and its refs, then compile it (InvalidContent if bad)."""
    if isinstance(definition, bool):
        return CompiledSchema(definition, retrieve)
    if not isinstance(definition, dict):
        raise InvalidContent(f"{source}: a schema definition must be a mapping (a JSON Schema)")
    _check_refs(definition, retrieve, source)
    _check_patterns(definition, source)
    if not list(refs(definition)) and fast_compatible(definition):
        fast = _fast_validator(definition)
        if fast is not None:
            return CompiledSchema(definition, retrieve, fast=fast)
    compiled = CompiledSchema(definition, retrieve)
    compiled.full()
    return compiled


def check_metaschema(definition: Any, source: str) -> None:
    """A schema's own definition must be valid under its metaschema (SPEC 4)."""
    from jsonschema import validators

    if not isinstance(definition, (dict, bool)):
        raise InvalidContent(f"{source}: a schema definition must be a mapping (a JSON Schema)")
    cls = validators.validator_for(definition, default=None)  # type: ignore[arg-type]
    if cls is None and isinstance(definition, dict) and "$schema" in definition:
        raise InvalidContent(f"{source}: unknown $schema {definition['$schema']!r}",
                             hint="use draft 2020-12 (the default) or another JSON Schema draft")
    cls = cls or validators.Draft202012Validator
    errors = sorted(cls(cls.META_SCHEMA).iter_errors(definition), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        details = [{"file": source, "path": _path("definition", e.absolute_path), "rule": str(e.validator),
                    "message": _short(e.message)} for e in errors]
        first = details[0]
        raise InvalidContent(f"{source}: the definition is not a valid JSON Schema: {first['path']}: {first['message']} "
                             f"[{first['rule']}]", hint="fix the schema definition", details=details)


def _check_refs(definition: Any, retrieve: Retrieve, source: str) -> None:
    for ref in refs(definition):
        target = ref.split("#", 1)[0]
        if not target:
            continue
        try:
            retrieve(target)
        except KeyError:
            raise InvalidContent(
                f"{source}: $ref {ref!r} does not name a schema of this repository or a built-in one",
                hint="refs never reach the network: use '#/...' or NAME / NAME@N of a known schema") from None


def _check_patterns(definition: Any, source: str) -> None:
    for pattern in sorted(patterns(definition)):
        try:
            compile_pattern(pattern)
        except InvalidContent as exc:
            raise InvalidContent(f"{source}: {exc.message}", hint=exc.hint) from None
    if any("unevaluatedProperties" in node for node in subschemas(definition)) and any(
            "patternProperties" in node for node in subschemas(definition)):
        raise InvalidContent(f"{source}: unevaluatedProperties together with patternProperties is not supported",
                             hint="use additionalProperties beside patternProperties")


def _fast_validator(definition: dict[str, Any]) -> Callable[[Any], Any] | None:
    """fastjsonschema's checker with the schema's patterns swapped for RE2 ones; None where it cannot."""
    import fastjsonschema

    plain = {k: v for k, v in definition.items() if k != "$schema"}
    try:
        validate = fastjsonschema.compile(plain, handlers={}, formats=FORMATS, use_default=False,
                                          detailed_exceptions=False)
    except Exception:  # a pattern RE2 reads and Python's re does not: the full validator runs it
        return None
    function = getattr(validate, "func", validate)  # with custom formats it is a functools.partial
    table = getattr(function, "__globals__", {}).get("REGEX_PATTERNS", {})
    for pattern in patterns(definition):
        if pattern not in table:
            return None
        table[pattern] = compile_pattern(pattern)
    return validate


def _jsonschema_validator(definition: Any, retrieve: Retrieve) -> Any:
    from jsonschema import FormatChecker, validators
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT202012

    def fetch(uri: str) -> Any:
        try:
            return Resource.from_contents(retrieve(uri), default_specification=DRAFT202012)
        except KeyError:
            raise NoSuchResource(ref=uri) from None  # type: ignore[call-arg]

    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    cls = _with_re2(validators.validator_for(definition, default=validators.Draft202012Validator))
    return cls(definition, registry=Registry(retrieve=fetch), format_checker=checker)  # type: ignore[call-arg]


def _with_re2(cls: Any) -> Any:
    """The validator class with `pattern`, `patternProperties` (and the additionalProperties that
    consults them) run in RE2 instead of Python's backtracking `re`."""
    from jsonschema import validators
    from jsonschema.exceptions import ValidationError

    plain_additional = cls.VALIDATORS.get("additionalProperties")

    def pattern(validator: Any, regex: str, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not search(regex, instance):
            yield ValidationError(f"{_short(repr(instance), 60)} does not match {regex!r}")

    def pattern_properties(validator: Any, table: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "object"):
            for regex, subschema in table.items():
                for key, value in instance.items():
                    if search(regex, key):
                        yield from validator.descend(value, subschema, path=key, schema_path=regex)

    def additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if "patternProperties" not in schema or not validator.is_type(instance, "object"):
            yield from plain_additional(validator, extra, instance, schema)
            return
        known = schema.get("properties", {})
        extras = sorted(k for k in instance if k not in known and not any(search(r, k) for r in schema["patternProperties"]))
        if validator.is_type(extra, "object"):
            for key in extras:
                yield from validator.descend(instance[key], extra, path=key)
        elif not extra and extras:
            names, verb = ", ".join(_short(repr(k), 60) for k in extras), "does" if len(extras) == 1 else "do"
            yield ValidationError(f"{names} {verb} not match "
                                  f"any of the regexes: {', '.join(map(repr, sorted(schema['patternProperties'])))}")

    overrides = {"pattern": pattern, "patternProperties": pattern_properties}
    if plain_additional is not None:
        overrides["additionalProperties"] = additional_properties
    return validators.extend(cls, overrides)


def _path(prefix: str, parts: Any) -> str:
    path = prefix
    for part in parts:
        path = join_path(path, part)
    return path


def _short(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."
