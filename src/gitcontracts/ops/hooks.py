"""`hooks install`: our hooks into the repository's hooks folder, chaining to any hook already there.

The scripts (hook_scripts/, also `hooks/` at the project root) are self-contained POSIX sh that work copied
as they are; installing them also records the interpreter that installed them, so they find the tool when
`gitcontracts` is not on PATH."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from gitcontracts import gitlayer
from gitcontracts.store.files import atomic_write

SCRIPTS = Path(__file__).resolve().parent.parent / "hook_scripts"
MARK = "# gitcontracts hook"
PYTHON_LINE = 'GITCONTRACTS_PYTHON="${GITCONTRACTS_PYTHON:-}"'


def install_hooks(root: Path) -> list[str]:
    hooks_dir = Path(gitlayer.output(root, "rev-parse", "--git-path", "hooks"))
    hooks_dir = hooks_dir if hooks_dir.is_absolute() else root / hooks_dir
    hooks_dir.mkdir(parents=True, exist_ok=True)
    bare = gitlayer.is_bare(root)
    names = ["pre-receive", "post-receive"] if bare else ["pre-commit", "pre-push"]
    if bare:  # an agent withdrawing its own claim names itself: `git push -o agent=NAME --delete claim/...`
        gitlayer.config_set(root, "receive.advertisePushOptions", "true")
    for name in names:
        target = hooks_dir / name
        if target.exists() and MARK not in target.read_text(errors="replace"):
            target.rename(hooks_dir / f"{name}.local")  # the user's hook keeps running, first
        atomic_write(target, installed_script(name).encode())
        target.chmod(0o755)
    return names


def installed_script(name: str) -> str:
    """The ready script, with the interpreter running this recorded as the one to fall back on."""
    text = (SCRIPTS / name).read_text()
    # inside "${VAR:-...}" a path stays one word with its spaces; only \ " $ ` } need a backslash there
    python = re.sub(r'([\\"$`}])', r"\\\1", sys.executable)
    recorded = f'GITCONTRACTS_PYTHON="${{GITCONTRACTS_PYTHON:-{python}}}"'
    return text.replace(PYTHON_LINE, recorded, 1)
