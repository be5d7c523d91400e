"""`hooks install`: our hooks into the repository's hooks folder, chaining to any hook already there."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

from gitcontracts import gitlayer
from gitcontracts.store.files import atomic_write

SCRIPTS = Path(__file__).resolve().parent.parent / "hook_scripts"
MARK = "# gitcontracts hook"


def install_hooks(root: Path) -> list[str]:
    hooks_dir = Path(gitlayer.output(root, "rev-parse", "--git-path", "hooks"))
    hooks_dir = hooks_dir if hooks_dir.is_absolute() else root / hooks_dir
    hooks_dir.mkdir(parents=True, exist_ok=True)
    names = ["pre-receive"] if gitlayer.is_bare(root) else ["pre-commit", "pre-push"]
    common = (SCRIPTS / "common.sh").read_text().replace(
        'GITCONTRACTS_PYTHON="${GITCONTRACTS_PYTHON:-}"', f'GITCONTRACTS_PYTHON="${{GITCONTRACTS_PYTHON:-{shlex.quote(sys.executable)}}}"')
    atomic_write(hooks_dir / "gitcontracts-common.sh", common.encode())
    for name in names:
        target = hooks_dir / name
        if target.exists() and MARK not in target.read_text(errors="replace"):
            target.rename(hooks_dir / f"{name}.local")  # the user's hook keeps running, first
        atomic_write(target, (SCRIPTS / name).read_bytes())
        target.chmod(0o755)
    return names
