"""Who the acting agent is and where that name came from: the flag, the environment, git config or
user.name — said in `prime` and in every refusal that turns on the name (an offer to someone else)."""
from __future__ import annotations

from gitcontracts.names import name_problem
from gitcontracts.workspace import Workspace

WAYS = ("--agent NAME", "$GITCONTRACTS_AGENT", "git config gitcontracts.agent", "git config user.name")


def identity(ws: Workspace) -> tuple[str | None, str | None, str | None]:
    """(agent, where it came from, problem): the acting agent as `Workspace.agent` decides it, without raising."""
    from gitcontracts import gitlayer

    def config(key: str) -> str | None:
        try:
            return gitlayer.config_get(ws.root, key)
        except Exception:  # outside a git repository: no git config to read
            return None

    candidates = ((WAYS[0], lambda: ws.agent_option), (WAYS[1], lambda: ws.env.get("GITCONTRACTS_AGENT")),
                  (WAYS[2], lambda: config("gitcontracts.agent")), (WAYS[3], lambda: config("user.name")))
    for source, get in candidates:
        value = get()
        if value:
            return value, source, name_problem(value)
    return None, None, "no acting agent is set"


_PROSE = {WAYS[0]: "the --agent flag", WAYS[1]: "$GITCONTRACTS_AGENT", WAYS[2]: "git config gitcontracts.agent",
          WAYS[3]: "git config user.name"}
_FIX = {WAYS[0]: "pass your own name with --agent", WAYS[1]: "set $GITCONTRACTS_AGENT to your own name",
        WAYS[2]: "set your own: `git config gitcontracts.agent NAME`",
        WAYS[3]: "set your own: `git config gitcontracts.agent NAME` (it comes before user.name)"}


def origin(ws: Workspace, agent: str) -> str:
    """`load-bot (from $GITCONTRACTS_AGENT)`: the name as a refusal shows it."""
    _, source, _ = identity(ws)
    return f"{agent} (from {_PROSE[source]})" if source in _PROSE else agent


def fix_name_hint(ws: Workspace) -> str:
    """How to set one's own name, in the place the acting name was taken from."""
    _, source, _ = identity(ws)
    return f"if that is not your name, {_FIX.get(source or '', 'set your own with --agent')}"
