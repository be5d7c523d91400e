"""`.contracts/config.yaml` (docs/fields.md): settings with their defaults."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from gitcontracts.errors import InvalidContent
from gitcontracts.names import name_problem
from gitcontracts.store.files import read_bytes
from gitcontracts.store.layout import FLAT, LAYOUTS, Layout, Paths, paths_for

if TYPE_CHECKING:  # PyYAML is loaded only where a config.yaml is not in its plain form
    from gitcontracts.formats import yamlsafe

_KEYS = {"main_branch", "remote", "provider", "require_signed", "limits", "max_clock_skew", "fetch_ttl", "lander", "layout"}


class Config(NamedTuple):
    main_branch: str | None = None   # None: not set; Workspace.main_branch asks the remote (SPEC 13)
    remote: str | None = None
    provider: str = "local"
    require_signed: bool = False
    max_file_bytes: int = 1_048_576
    max_line_bytes: int = 262_144
    max_clock_skew: float = 300.0   # seconds an entry's ts may lie from the referee's time (SPEC 12)
    fetch_ttl: float = 5.0          # seconds a read may trust the last fetch (SPEC 13)
    lander: str | None = None       # set: actions on an agent's own files are queued, landed in batches by this name
    layout: str = FLAT              # where stashes and streams sit: flat, or fanout (256 folders; `gitcontracts layout`)

    @property
    def paths(self) -> Paths:
        return paths_for(self.layout)

    @property
    def yaml_limits(self) -> "yamlsafe.Limits":
        from gitcontracts.formats import yamlsafe

        return yamlsafe.Limits(max_bytes=self.max_file_bytes)


def load_config(layout: Layout) -> Config:
    if not layout.config.is_file():
        return Config()
    data = read_bytes(layout.inside(layout.config), 1_048_576)
    doc = plain_mapping(data)
    if doc is None:  # anything but the plain form `init` writes: PyYAML reads it
        from gitcontracts.formats import yamlsafe

        doc = yamlsafe.load(data, layout.relative(layout.config))
    return parse_config(doc, layout.relative(layout.config))


_PLAIN_LINE = re.compile(r"( {2})?([a-z_]+): *([A-Za-z0-9_./-]+)?")
_NOT_PLAIN = re.compile(r"(?i)y|n|yes|no|on|off|true|false|null")  # words YAML 1.1 reads as booleans or null


def plain_mapping(data: bytes) -> dict[str, Any] | None:
    """config.yaml as `init` writes it — `key: value` lines, one level of two-space nesting, values plain words,
    whole numbers, decimals or true/false — read without loading PyYAML (`stream latest`, the call agents poll,
    stays a few file reads). None for anything else, or anything YAML could read otherwise: PyYAML decides those."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    doc: dict[str, Any] = {}
    block: dict[str, Any] | None = None
    for line in text.splitlines():
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        nested, key, value = match.groups()
        if nested and block is None or key in (block if nested else doc):  # type: ignore[operator]
            return None
        if value is None:
            if nested:
                return None
            block = doc[key] = {}
            continue
        if not nested:
            block = None
        parsed = _plain_value(value)
        if parsed is _NOT_PLAIN:
            return None
        (block if nested else doc)[key] = parsed  # type: ignore[index]
    return doc if all(value != {} for value in doc.values()) else None


def _plain_value(word: str) -> Any:
    if word in ("true", "false"):
        return word == "true"
    if re.fullmatch(r"[1-9][0-9]*|0", word):
        return int(word)
    if re.fullmatch(r"[0-9]+\.[0-9]+", word):
        return float(word)
    if _NOT_PLAIN.fullmatch(word) or word[0] in "-.0123456789":  # other numbers, dates, times: PyYAML's
        return _NOT_PLAIN
    return word


def parse_config(doc: Any, source: str) -> Config:
    if not isinstance(doc, dict):
        raise InvalidContent(f"{source}: must be a mapping")
    if "on" in doc:
        raise InvalidContent(f"{source}: `on:` is not read from the repository: a file any agent can push must never "
                             "choose what runs on another machine",
                             hint="set commands on the watching machine: `git config gitcontracts.on.EVENT CMD`, "
                                  "or `gitcontracts watch --on EVENT=CMD`")
    unknown = set(doc) - _KEYS
    if unknown:
        raise InvalidContent(f"{source}: unknown setting(s) {sorted(unknown)}", hint=f"known settings: {sorted(_KEYS)}")
    limits = doc.get("limits") or {}
    if not isinstance(doc.get("require_signed", False), bool):
        raise InvalidContent(f"{source}: require_signed is true or false")
    if doc.get("provider", "local") not in ("local", "github"):
        raise InvalidContent(f"{source}: provider must be local or github")
    lander = doc.get("lander")
    if lander is not None and name_problem(lander):
        raise InvalidContent(f"{source}: lander must be an agent name (the author of the land merges), like lander")
    if doc.get("layout", FLAT) not in LAYOUTS:
        raise InvalidContent(f"{source}: layout must be flat or fanout",
                             hint="change it only with `gitcontracts layout fanout` (or flat), which moves the files too")
    try:
        return Config(lander=lander, layout=doc.get("layout", FLAT), main_branch=_branch(doc.get("main_branch"), source),
                      remote=doc.get("remote"),
                      provider=doc.get("provider", "local"), require_signed=doc.get("require_signed", False),
                      max_file_bytes=int(limits.get("max_file_bytes", 1_048_576)),
                      max_line_bytes=int(limits.get("max_line_bytes", 262_144)),
                      max_clock_skew=_seconds(doc, "max_clock_skew", 300.0), fetch_ttl=_seconds(doc, "fetch_ttl", 5.0))
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidContent(f"{source}: {exc}", hint="docs/fields.md lists the settings and their values") from None


def _branch(value: Any, source: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value.startswith(("-", "refs/")) or any(c in value for c in " ~^:?*[\\"):
        raise InvalidContent(f"{source}: main_branch must be a branch name, like main or master")
    return value


def _seconds(doc: dict[str, Any], key: str, default: float) -> float:
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidContent(f"config.yaml: {key} is a number of seconds, 0 or more", hint=f"for example `{key}: {default:g}`")
    return float(value)
