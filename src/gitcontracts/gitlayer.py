"""Every git call the toolkit makes, each a small function named after the question it answers.

Plain `git` subprocesses: a commit hook pays a few ms per call instead of GitPython's import
and per-call overhead, and `git cat-file --batch` reads many blobs through one process."""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from gitcontracts.errors import Conflict, GitContractsError, NotFound

if TYPE_CHECKING:
    import subprocess  # imported where git runs: a read that needs no git process does not pay for it

    from gitcontracts.gitobjects import ObjectStore

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
ZERO = "0" * 40
_LOCK_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)


class GitError(GitContractsError):
    """A git command failed in a way nothing here foresaw (a corrupt repository, a full disk): exit 1."""
    exit_code = 1
    code = "git"


class RemoteUnavailable(GitError):
    """The remote did not answer (unreachable, timed out, refused the transport): nothing was changed,
    and the same command can be run again — the retry-later code, 4."""
    exit_code = 4
    code = "remote_unavailable"


class NotARepository(GitError):
    """Run where no repository is: a usage error, 2."""
    exit_code = 2
    code = "not_a_repository"


def run(root: Path, *args: str, input: bytes | None = None, check: bool = True,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    try:
        result = subprocess.run(("git", *args), cwd=root, input=input, capture_output=True, env=git_env(root, env))
    except (FileNotFoundError, NotADirectoryError):
        raise _cannot_start(root) from None
    if check and result.returncode != 0:
        if b"not a git repository" in result.stderr:
            raise not_a_repository(root)
        raise GitError(f"git {' '.join(args[:2])} failed: {_last_line(result.stderr) or result.returncode}")
    return result


def _cannot_start(root: Path) -> GitContractsError:
    """subprocess says FileNotFoundError both when git is missing and when the folder it is to run in is."""
    if not Path(root).is_dir():
        return NotFound(f"no such directory: {root}", hint="check the path (given with -C, or the folder you are in)")
    return GitError("git is not installed or not on PATH", hint="install git and retry")


def not_a_repository(root: Path) -> NotFound:
    return NotFound("not a git repository: run `git init` (or cd into your clone)",
                    hint=f"neither {root} nor a folder above it is a git repository")


# Where git tells a hook the repository, work tree, index and object folders are. Inherited by a command
# that works on another repository (`-C`, a hook of one repository acting on a second), they point every git
# call at the wrong one, so they are dropped (as pre-commit's git.py `no_git_env` does). For the hook's own
# repository, the index being committed (`git commit -a` runs pre-commit on .git/index.lock) and the pushed
# objects still in quarantine (pre-receive) are exactly what a check must see: those stay, made absolute.
# Identity, config, ssh and date variables always stay.
_WHERE = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_PREFIX", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
          "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")
_OWN_FOLDERS = ("GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_QUARANTINE_PATH")


def git_env(root: Path, extra: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """The environment of a git process working on `root`, with `extra` on top (None: this process's, as it is)."""
    if not any(key in os.environ for key in _WHERE):
        return {**os.environ, **extra} if extra else None
    env = {key: value for key, value in os.environ.items() if key not in _WHERE}
    env.update(_own_folders(root))
    env.update(extra or {})
    return env


def _own_folders(root: Path) -> dict[str, str]:
    """The inherited index and object folders that lie inside root's git directory, as absolute paths."""
    folder = (find_git_dir(Path(root)) or Path(root)).resolve()
    kept = {}
    for key in _OWN_FOLDERS:
        value = os.environ.get(key)
        path = Path(os.path.abspath(value)) if value else None  # relative: to where git ran the hook, our cwd
        if path is not None and path.resolve().is_relative_to(folder):
            kept[key] = str(path)
    if "GIT_OBJECT_DIRECTORY" in kept and os.environ.get("GIT_ALTERNATE_OBJECT_DIRECTORIES"):
        kept["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = os.environ["GIT_ALTERNATE_OBJECT_DIRECTORIES"]
    return kept


def _last_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""


def output(root: Path, *args: str) -> str:
    return run(root, *args).stdout.decode("utf-8", "replace").strip()


def toplevel(path: Path) -> Path | None:
    result = run(path, "rev-parse", "--show-toplevel", check=False)
    return Path(result.stdout.decode().strip()) if result.returncode == 0 else None


def is_repo(root: Path) -> bool:
    return run(root, "rev-parse", "--git-dir", check=False).returncode == 0


def is_bare(root: Path) -> bool:
    if (root / ".git").exists():
        return False
    if find_git_dir(root) == root and (root / "config").is_file():  # HEAD, objects/, refs/ at the top: no git started
        return "bare = true" in (root / "config").read_text(errors="replace").replace("\t", " ")
    return output(root, "rev-parse", "--is-bare-repository") == "true"


def git_dir(root: Path) -> Path:
    return find_git_dir(root) or (root / output(root, "rev-parse", "--git-dir")).resolve()


def config_get(root: Path, key: str) -> str | None:
    result = run(root, "config", "--get", key, check=False)
    return (result.stdout.decode("utf-8", "replace").strip() or None) if result.returncode == 0 else None


def config_values(root: Path, *keys: str) -> dict[str, str]:
    """The values of `keys` in git config (all scopes; the last one of a key set twice, as `git config --get`
    says), from one git process; keys as git prints them (section and name in lower case)."""
    return _config_matching(root, "^(" + "|".join(key.lower().replace(".", r"\.") for key in keys) + ")$")


def _config_matching(root: Path, pattern: str) -> dict[str, str]:
    result = run(root, "config", "--get-regexp", pattern, check=False)
    return dict(line.partition(" ")[::2] for line in result.stdout.decode("utf-8", "replace").splitlines())


def author_ident(root: Path) -> tuple[str, str] | None:
    """(name, email) of the author of the next commit, as git will write it ($GIT_AUTHOR_NAME and _EMAIL, author.*,
    user.*); None when git cannot say (it would refuse the commit too)."""
    result = run(root, "var", "GIT_AUTHOR_IDENT", check=False)
    name, sep, rest = result.stdout.decode("utf-8", "replace").strip().partition(" <")
    if result.returncode != 0 or not sep:
        return None
    return name, rest.partition(">")[0]


def config_section(root: Path, prefix: str) -> dict[str, str]:
    """Every `prefix<name> value` of git config (all scopes), as {name: value}."""
    return {key[len(prefix):]: value for key, value in _config_matching(root, "^" + prefix.replace(".", r"\.")).items()}


def config_set(root: Path, key: str, value: str) -> None:
    run(root, "config", key, value)


def remotes(root: Path) -> list[str]:
    result = run(root, "remote", check=False)
    return result.stdout.decode().split() if result.returncode == 0 else []


def current_branch(root: Path) -> str | None:
    result = run(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return (result.stdout.decode().strip() or None) if result.returncode == 0 else None


def resolve(root: Path, rev: str) -> str | None:
    result = run(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    return result.stdout.decode().strip() or None if result.returncode == 0 else None


def ref_sha(root: Path, ref: str) -> str | None:
    """A full ref's commit, read from git's ref files where they are plain (no git started: an action reads its
    remote's main a few times), else asked of git (worktrees, reftable, anything unusual)."""
    folder = find_git_dir(root)
    if folder is None or not ref.startswith("refs/") or (folder / "commondir").exists() or (folder / "reftable").exists():
        return resolve(root, ref)
    try:
        text = (folder / ref).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = _packed_ref(folder, ref) or ""
    if len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text):
        return text
    return resolve(root, ref)


def _packed_ref(folder: Path, ref: str) -> str | None:
    try:
        lines = (folder / "packed-refs").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return next((line.split(" ", 1)[0] for line in lines if line.endswith(" " + ref) and not line.startswith(("#", "^"))),
                None)


class HeadState(NamedTuple):
    git_dir: Path
    head: str | None         # None on an unborn branch
    branch: str | None       # refs/heads/... or None when detached
    merging: str | None      # MERGE_HEAD while a merge is being committed


def head_state(root: Path) -> HeadState:
    """Git dir, HEAD, branch and merge state in one `git rev-parse` (a hook pays per process)."""
    result = run(root, "rev-parse", "--absolute-git-dir", "HEAD", "--symbolic-full-name", "HEAD", check=False)
    lines = result.stdout.decode().splitlines()  # one per line: the git dir's path may hold spaces
    if result.returncode == 0 and len(lines) >= 2:
        git, head, branch = Path(lines[0]), lines[1], (lines[2] if len(lines) > 2 and lines[2] != "HEAD" else None)
    else:
        git, head = Path(output(root, "rev-parse", "--absolute-git-dir")), None
        branch = "refs/heads/" + (current_branch(root) or "")
    merge = git / "MERGE_HEAD"
    merging = merge.read_text().split()[0] if merge.is_file() else None
    return HeadState(git, head, branch, merging)


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    return run(root, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def merge_base(root: Path, a: str, b: str) -> str | None:
    result = run(root, "merge-base", a, b, check=False)
    return result.stdout.decode().strip() or None if result.returncode == 0 else None


def init_repo(root: Path, branch: str = "main") -> None:
    run(root, "init", "--quiet", "--initial-branch", branch)


def find_git_dir(root: Path) -> Path | None:
    """The repository's git directory, found without running git (for the paths every command takes)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            return (root / text.removeprefix("gitdir:").strip()).resolve()
    if (root / "HEAD").is_file() and (root / "objects").is_dir() and (root / "refs").is_dir():
        return root  # a bare repository (the shared remote: its hooks and the lander)
    return None


@contextmanager
def commit_lock(root: Path) -> Iterator[None]:
    """Our own processes commit one at a time, so twenty agents posting at once do not race git for HEAD."""
    with file_lock(root, "gitcontracts-commit.lock"):
        yield


@contextmanager
def file_lock(root: Path, name: str) -> Iterator[None]:
    """An flock on `name` in the git directory: released when its holder dies, never stale."""
    folder = find_git_dir(root)
    if folder is None:
        yield
        return
    with open(folder / name, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def commit_paths(root: Path, paths: Sequence[str], message: str, author: str) -> str:
    """Commit exactly `paths` as they are in the working tree, whatever else is staged or changed.

    `git commit --only` builds the commit from HEAD plus these paths and leaves the rest of the
    index as the user had it. A lock held by another git process is waited for, briefly."""
    env = identity(root, author).env
    with commit_lock(root):
        _with_index_lock(root, ("add", "-A", "--", *paths), env)
        _with_index_lock(root, ("commit", "--only", "--no-verify", "--allow-empty", "--quiet", "-m", message,
                                "--", *paths), env)
        return output(root, "rev-parse", "HEAD")


def _with_index_lock(root: Path, args: Sequence[str], env: Mapping[str, str]) -> None:
    for wait in (*_LOCK_WAITS, None):
        result = run(root, *args, check=False, env=env)
        if result.returncode == 0:
            return
        stderr = result.stderr.decode("utf-8", "replace")
        if "index.lock" not in stderr and "cannot lock ref" not in stderr:  # another git moved HEAD meanwhile
            raise GitError(f"git {args[0]} failed: {_last_line(result.stderr)}")
        if wait is None:
            raise Conflict("the git index is locked by another git process (.git/index.lock)",
                           hint="retry when it has finished; if no git process is running, remove .git/index.lock")
        time.sleep(wait)


class FileChange(NamedTuple):
    """One path changed between two trees: blob ids (ZERO when absent) and the status letter."""
    path: str
    old: str
    new: str
    status: str
    mode: str = "100644"   # the new mode (the old one when deleted): 120000 a symlink, 160000 a submodule


def parse_raw(data: bytes) -> list[FileChange]:
    """`git diff --raw -z` output to changes (no renames: --no-renames is always passed)."""
    fields = data.split(b"\0")
    changes, index = [], 0
    while index + 1 < len(fields) and fields[index]:
        meta = fields[index].decode().lstrip(":").split()
        mode = meta[1] if meta[1].strip("0") else meta[0]
        changes.append(FileChange(fields[index + 1].decode("utf-8", "surrogateescape"), meta[2], meta[3], meta[4][0], mode))
        index += 2
    return changes


def staged_changes(root: Path, prefixes: Sequence[str], head: str | None) -> list[FileChange]:
    base = head or EMPTY_TREE
    data = run(root, "diff", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", base, "--", *prefixes).stdout
    return parse_raw(data)


class CommitInfo(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author: str
    email: str
    when: str
    subject: str
    trailers: dict[str, str]
    changes: tuple[FileChange, ...]


_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00%(trailers:only,unfold,separator=%x1f)%x00"


def log_commits(root: Path, rev_args: Sequence[str], prefixes: Sequence[str]) -> list[CommitInfo]:
    """`git log REV_ARGS -- PREFIXES`, each commit with its trailers and its changed files."""
    data = run(root, "log", *rev_args, "--raw", "-z", "--no-renames", "--no-abbrev", f"--format={_FORMAT}",
               "--", *prefixes).stdout
    return _parse_log(data)


def first_parent_commits(root: Path, base: str | None, tip: str, prefixes: Sequence[str],
                         few: bool = False) -> list[CommitInfo]:
    """The first-parent commits of base..tip that touch `prefixes` (folders; none: every commit), oldest first,
    each with its changes under them against its first parent (so a merge answers for everything it brings).

    The folders are filtered here unless `few` of the span's commits touch them (a log of one contract): given
    a pathspec, `git log` diffs each commit twice (once to decide whether to show it, once to show it), and with
    20,000 stream folders that second diff of a 1 MB tree was half the time of `check --range`."""
    span = f"{base}..{tip}" if base else tip
    walk = ("--first-parent", "--diff-merges=first-parent", "--reverse", span)
    if few or not prefixes:
        return log_commits(root, walk, prefixes)
    folders = _folders(prefixes)
    return [kept for commit in log_commits(root, walk, ()) if (kept := _within(commit, folders))]


def _folders(prefixes: Sequence[str]) -> tuple[str, ...]:
    return tuple(p.rstrip("/") + "/" for p in prefixes)


def _within(commit: CommitInfo, folders: tuple[str, ...]) -> CommitInfo | None:
    """`commit` with only its changes under `folders`; None when it has none there."""
    changes = tuple(c for c in commit.changes if c.path.startswith(folders))
    if not changes:
        return None
    return commit._replace(changes=changes) if len(changes) != len(commit.changes) else commit


def unmoved(commit: CommitInfo) -> CommitInfo:
    """The commit without the files it only moves (`gitcontracts layout`): a file that appears where another with
    the same bytes left brings no entry, no new content."""
    gone = {c.old for c in commit.changes if c.new == ZERO}
    moved = gone & {c.new for c in commit.changes if c.old == ZERO} if gone else set()
    if not moved:
        return commit
    return commit._replace(changes=tuple(c for c in commit.changes if not (
        c.new == ZERO and c.old in moved or c.old == ZERO and c.new in moved)))


class Signature(NamedTuple):
    """A first-parent commit as its signature shows it: git's %G? letter and the principal it found."""
    sha: str
    author: str
    email: str
    actor: str
    status: str   # G good, N none, U good but key not allowed, B bad, E cannot check, X/Y/R expired/revoked
    signer: str


def first_parent_signatures(root: Path, base: str | None, tip: str, allowed_signers: Path | None,
                            every_commit: bool = False) -> list[Signature]:
    """Every first-parent commit of base..tip, oldest first, its SSH signature checked against
    `allowed_signers` (one `git log`; git runs ssh-keygen for each signed commit). Without a
    file, signatures are not looked at (status and signer come back empty), which costs nothing."""
    span = f"{base}..{tip}" if base else tip
    signature = "%G?%x00%GS" if allowed_signers else "%x00"
    config = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"] if allowed_signers else []
    walk = ["--reverse"] if every_commit else ["--first-parent", "--reverse"]  # every_commit: merged-in ones too
    data = run(root, *config, "log", *walk,
               f"--format=%x1e%H%x00%an%x00%ae%x00{signature}%x00%(trailers:key=Agent,valueonly,separator=%x1f)",
               span).stdout
    signatures = []
    for record in data.split(b"\x1e")[1:]:
        sha, author, email, status, signer, agent = (p.decode("utf-8", "replace").strip()
                                                     for p in record.split(b"\0", 5))
        signatures.append(Signature(sha, author, email, agent.split("\x1f")[0].strip() or author, status, signer))
    return signatures


def _parse_log(data: bytes) -> list[CommitInfo]:
    return [_parse_record(record) for record in data.split(b"\x1e")[1:]]


def _parse_record(record: bytes) -> CommitInfo:
    parts = record.split(b"\0", 7)
    sha, parents, author, email, when, subject, trailers = (p.decode("utf-8", "replace") for p in parts[:7])
    rest = parts[7] if len(parts) > 7 else b""
    return CommitInfo(sha, tuple(parents.split()), author, email, when, subject,
                      parse_trailers(trailers), tuple(parse_raw(rest.lstrip(b"\0\n"))))


def _records(stream: IO[bytes]) -> Iterator[bytes]:
    """The records of `git log --format=%x1e...` output, each as soon as the next one starts."""
    pending: list[bytes] = []
    while chunk := stream.read1(1 << 16):  # type: ignore[attr-defined]
        head, *done = chunk.split(b"\x1e")
        if not done:
            pending.append(head)
            continue
        record = b"".join(pending) + head
        if record:
            yield record
        yield from done[:-1]
        pending = [done[-1]]
    record = b"".join(pending)
    if record:
        yield record


def range_commits(root: Path, base: str | None, tip: str, prefixes: Sequence[str], reader: BlobReader,
                  grows: Callable[[str], bool], also: Callable[[str], Iterable[str]] = lambda path: ()
                  ) -> list[CommitInfo]:
    """`first_parent_commits`, with the blobs of their changes read into `reader` while git still walks: cat-file
    inflates them in a process of its own as log names them, so the two overlap instead of adding up. So are the
    files `also` names for a changed path, as of that commit (`SHA:PATH`: what judging the change reads besides).
    A file a commit only moves is not read ahead (`unmoved`): a layout change moves them all, and its judge
    compares their ids; a read that still wants one (gc's archive) asks for it then.
    Where a path only `grows` (a stream shard), its old blob is not read at all when the new one starts with
    content of the old one's id (`take_prefixes`)."""
    import subprocess

    span = f"{base}..{tip}" if base else tip
    args = ("git", "log", "--first-parent", "--diff-merges=first-parent", "--reverse", "--raw", "-z", "--no-renames",
            "--no-abbrev", f"--format={_FORMAT}", span, "--")
    try:
        log = subprocess.Popen(args, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(root))
    except (FileNotFoundError, NotADirectoryError):
        raise _cannot_start(root) from None
    assert log.stdout is not None and log.stderr is not None
    folders = _folders(prefixes)
    commits, grown = [], {}
    with reader.fetching() as fetch:
        for record in _records(log.stdout):
            commit = _within(_parse_record(record), folders)
            if commit is None:
                continue
            commits.append(commit)
            for change in unmoved(commit).changes:  # a moved file's bytes are never judged, only its ids
                if grows(change.path) and ZERO not in (change.old, change.new):
                    grown[change.old] = change.new
                fetch.want(change.new, *(() if change.old in grown else (change.old,)),
                           *(f"{commit.sha}:{path}" for path in also(change.path)))
        error = log.stderr.read()
        if log.wait() != 0:
            raise not_a_repository(root) if b"not a git repository" in error else \
                GitError(f"git log failed: {_last_line(error) or log.returncode}")
    reader.take_prefixes(grown)
    return commits


def parse_trailers(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.replace("\n", "\x1f").split("\x1f"):
        key, sep, value = item.partition(":")
        if sep and key.strip():
            out.setdefault(key.strip(), value.strip())
    return out


class Fetch:
    """A `git cat-file --batch` fed and read in two threads while the caller goes on: objects are asked for
    with `want` as they become known, and land in `cache` (spec -> content, under "tree SPEC" for trees; None
    for a missing one or one of another kind). `finish` waits for every answer."""

    def __init__(self, root: Path, cache: dict[str, bytes | None], kind: bytes = b"blob") -> None:
        import queue
        import subprocess
        import threading

        self.cache, self.kind = cache, kind
        self._key = "" if kind == b"blob" else kind.decode() + " "
        self._asked: set[str] = set()
        try:
            self._process = subprocess.Popen(("git", "cat-file", "--batch"), cwd=root, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env(root))
        except (FileNotFoundError, NotADirectoryError):
            raise _cannot_start(root) from None
        self._specs: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
        self._order: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._send, daemon=True),
                         threading.Thread(target=self._collect, daemon=True)]
        for thread in self._threads:
            thread.start()

    def want(self, *specs: str) -> None:
        new = [spec for spec in dict.fromkeys(specs) if spec not in self._asked and self._key + spec not in self.cache]
        if new:
            self._asked.update(new)
            self._specs.put(new)  # a list at a time: each put may hand the lock to the sender

    def _send(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (specs := self._specs.get()) is not None:
                for spec in specs:
                    self._order.put(spec)
                stdin.write("".join(spec + "\n" for spec in specs).encode())
                if self._specs.empty():
                    stdin.flush()
            stdin.close()
        except OSError:
            pass  # git ended early: its exit status says why
        finally:
            self._order.put(None)

    def _collect(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        while (spec := self._order.get()) is not None:
            header = stdout.readline().split()
            if not header:
                return  # git ended early
            if len(header) < 3 or header[-1] == b"missing":
                self.cache[self._key + spec] = None
                continue
            body = stdout.read(int(header[2]))
            stdout.read(1)
            self.cache[self._key + spec] = body if header[1] == self.kind else None

    def finish(self) -> None:
        self._specs.put(None)
        for thread in self._threads:
            thread.join()
        assert self._process.stdout is not None and self._process.stderr is not None
        self._process.stdout.close()
        error = self._process.stderr.read()
        self._process.stderr.close()
        if self._process.wait() != 0:
            raise GitError(f"git cat-file --batch failed: {_last_line(error) or self._process.returncode}")


def object_id(kind: bytes, content: bytes | memoryview, length: int) -> str:
    """The id git gives `content` as an object of `kind`, in the repository's hash (40 hex digits: SHA-1)."""
    import hashlib

    digest = hashlib.sha1() if length == 40 else hashlib.sha256()
    digest.update(kind + b" %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


class BlobReader:
    """Blobs by id or by `REV:path`, read through `git cat-file --batch` and cached.

    `prefetch` reads many at once through one process; `read` of anything not prefetched goes
    through one long-lived process, so a check pays one process start however many files it reads."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, bytes | None] = {ZERO: None}
        self._process: subprocess.Popen[bytes] | None = None

    def prefetch(self, specs: Iterable[str], want: bytes = b"blob") -> None:
        """Read many objects (blobs, or trees with want=b"tree") through one process, for `read` (`tree_bytes`)."""
        prefix = "" if want == b"blob" else want.decode() + " "
        wanted = [s for s in dict.fromkeys(specs) if prefix + s not in self.cache]
        if len(wanted) < 4:
            for spec in wanted:
                self.read(spec) if want == b"blob" else self.tree_bytes(spec)
            return
        with self.fetching(want) as fetch:
            fetch.want(*wanted)

    def take_prefixes(self, grown: Mapping[str, str]) -> None:
        """Old blob id -> the new blob id of a file that only grows, the new ones read: each old one is taken as
        the new one's prefix when that hashes to its id (hashing 52 MB takes 0.03 s, git inflating and passing
        them 0.1 s), else read as usual, for the append-only rule to say what changed. The id vouches for the
        bytes as it does everywhere in git; lines that collide would also have had to pass as JSON entries."""
        olds = [old for old, new in grown.items() if old not in self.cache and self.cache.get(new) is not None]
        sizes = self.sizes(olds) if olds else {}
        for old in olds:
            new, size = self.cache[grown[old]], sizes.get(old, -1)
            if 0 <= size <= len(new) and object_id(b"blob", memoryview(new)[:size], len(old)) == old:  # type: ignore[arg-type]
                self.cache[old] = new[:size]  # type: ignore[index]
        self.prefetch(old for old in grown if old not in self.cache)

    @contextmanager
    def fetching(self, want: bytes = b"blob") -> Iterator[Fetch]:
        """A `Fetch` into this reader's cache, finished (every object wanted read) when the block ends."""
        fetch = Fetch(self.root, self.cache, want)
        try:
            yield fetch
        finally:
            fetch.finish()

    def sizes(self, ids: Iterable[str]) -> dict[str, int]:
        """Object id -> size in bytes (absent when missing), through one `git cat-file --batch-check`."""
        wanted = list(dict.fromkeys(ids))
        data = run(self.root, "cat-file", "--batch-check", input=("\n".join(wanted) + "\n").encode()).stdout
        found = {}
        for line in data.decode().splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[2].isdigit():
                found[fields[0]] = int(fields[2])
        return found

    def prefetch_folders(self, rev: str, folders: Iterable[str], suffix: str) -> None:
        """The trees `rev:F` of `folders` (paths from the root) and their files ending in `suffix`, in batches by
        object id: a `rev:path` lookup scans every tree on the way, so 2,000 of them in a 2,000-entry folder cost
        seconds. `tree_names` and `read` of those paths then answer from the cache."""
        by_parent: dict[str, list[str]] = {}
        for folder in folders:
            parent, _, name = folder.rpartition("/")
            by_parent.setdefault(parent, []).append(name)
        self.prefetch((f"{rev}:{parent}" for parent in by_parent), want=b"tree")
        trees: dict[str, str] = {}
        for parent, names in by_parent.items():
            below = self.tree_entries(f"{rev}:{parent}") or {}
            trees.update({f"{parent}/{name}": below[name] for name in names if name in below})
        self.prefetch(trees.values(), want=b"tree")
        files: dict[str, str] = {}
        for folder, oid in trees.items():
            self.cache[f"tree {rev}:{folder}"] = self.cache.get("tree " + oid)
            for name, blob in (self.tree_entries(oid) or {}).items():
                if name.endswith(suffix):
                    files[f"{rev}:{folder}/{name}"] = blob
        self.prefetch(files.values())
        for spec, blob in files.items():
            self.cache[spec] = self.cache.get(blob)

    def _start(self) -> subprocess.Popen[bytes]:
        import subprocess

        if self._process is None:
            self._process = subprocess.Popen(("git", "cat-file", "--batch"), cwd=self.root, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=git_env(self.root))
        return self._process

    def read(self, spec: str) -> bytes | None:
        if spec not in self.cache:
            self.cache[spec] = self._ask(spec)
        return self.cache[spec]

    def _ask(self, spec: str, want: bytes = b"blob") -> bytes | None:
        process = self._start()
        stdin, stdout = process.stdin, process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(spec.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) < 3 or header[-1] == b"missing":
            return None
        body = stdout.read(int(header[2]) + 1)[:-1]
        return body if header[1] == want else None

    def tree_bytes(self, spec: str) -> bytes | None:
        key = "tree " + spec
        if key not in self.cache:
            self.cache[key] = self._ask(spec, want=b"tree")
        return self.cache[key]

    def commit_bytes(self, rev: str) -> bytes | None:
        """A commit object as stored (headers, a blank line, the message)."""
        return self._ask(rev, want=b"commit")

    def commit_tree(self, rev: str) -> str | None:
        """The tree id of a commit."""
        body = self._ask(rev, want=b"commit")
        return body[5:body.index(b"\n")].decode() if body and body.startswith(b"tree ") else None

    def entry_id(self, spec: str) -> str | None:
        """The object id at `REV:path` (None when there is nothing there), without reading it."""
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(spec.encode() + b"\n")
        process.stdin.flush()
        header = process.stdout.readline().split()
        if len(header) < 3 or header[-1] == b"missing":
            return None
        process.stdout.read(int(header[2]) + 1)
        return header[0].decode()

    def tree_entries(self, spec: str) -> dict[str, str] | None:
        """name -> object id (hex) of the entries of a tree (`REV:folder`); None when there is no such tree."""
        data = self.tree_bytes(spec)
        if data is None:
            return None
        from gitcontracts.gitobjects import TREE_ENTRY  # sha1 ids, as everywhere in this reader

        return {name.decode("utf-8", "surrogateescape"): oid.hex() for _, name, oid in TREE_ENTRY[20].findall(data)}

    def tree_names(self, spec: str) -> list[str] | None:
        """Names in a tree (`REV:folder`), read through the same process; None when there is no such tree."""
        data = self.tree_bytes(spec)
        if data is None:
            return None
        from gitcontracts.gitobjects import TREE_ENTRY

        return sorted(name.decode("utf-8", "surrogateescape") for _, name, _ in TREE_ENTRY[20].findall(data))

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()
            self._process = None


def list_tree(root: Path, rev: str, folder: str, depth: int = 1) -> list[str]:
    """Names directly inside `folder` at `rev` (index when rev is ':'); depth 2: inside its folders (the index)."""
    if rev == ":":
        data = run(root, "ls-files", "-z", "--", folder + "/").stdout
        names = {parts[depth - 1] for p in data.decode().split("\0")
                 if p and len(parts := p[len(folder) + 1:].split("/", depth)) >= depth}
        return sorted(names)
    result = run(root, "ls-tree", "-z", "--name-only", f"{rev}:{folder}", check=False)
    return sorted(p for p in result.stdout.decode().split("\0") if p) if result.returncode == 0 else []


def writers(root: Path, first_parent: str, tip: str, path: str) -> set[str]:
    """The agents (Agent trailer, else author) of the commits a merge brings that touched `path`."""
    data = run(root, "log", "--no-merges", "--format=%an%x00%(trailers:key=Agent,valueonly,separator=%x00)%x1e",
               f"{first_parent}..{tip}", "--", path).stdout.decode("utf-8", "replace")
    out = set()
    for record in data.split("\x1e"):
        parts = [p.strip() for p in record.strip().split("\0") if p.strip()]
        if parts:
            out.add(parts[1] if len(parts) > 1 else parts[0])
    return out


def grep_files(root: Path, rev: str, pattern: str, folder: str) -> list[str]:
    """Paths under `folder` at `rev` (':' for the index) whose text contains the fixed string `pattern`."""
    args = ["grep", "-l", "-F", "-e", pattern]
    args += ["--cached"] if rev == ":" else [rev]
    result = run(root, *args, "--", folder, check=False)
    prefix = "" if rev == ":" else f"{rev}:"
    return [line[len(prefix):] for line in result.stdout.decode().splitlines()]


# --- remotes and plumbing for the protocol (fetch, build a commit on any base, push, confirm) ---

def fetch(root: Path, remote: str, refspecs: Sequence[str], timeout: float = 60) -> None:
    import subprocess

    try:
        result = subprocess.run(("git", "fetch", "--quiet", "--no-tags", remote, *refspecs), cwd=root,
                                capture_output=True, timeout=timeout, env=git_env(root))
    except subprocess.TimeoutExpired:
        raise RemoteUnavailable(f"fetching from {remote} took longer than {timeout:.0f} s",
                                hint="check the remote and retry") from None
    if result.returncode != 0:
        raise RemoteUnavailable(f"cannot fetch from {remote}: {_last_line(result.stderr)}",
                                hint="check the remote, or use --offline")


def push(root: Path, remote: str, refspecs: Sequence[str], options: Sequence[str] = ()) -> tuple[bool, str]:
    """(accepted, git's message). A refused push is not an error here: the caller re-runs its action.
    `options`: push options (`git push -o`), which the remote's pre-receive hook reads."""
    atomic = ["--atomic"] if len(refspecs) > 1 else []  # an award's merge and its branch deletions: all or none
    # No reachability bitmaps: a clone made from a local path shares the remote's pack and its bitmap, and with
    # thousands of claim branches (none of them in the bitmap) pack-objects then builds a bitmap for every one to
    # leave out what the remote has: 3.4 s for one claim with 5,000 branches, 0.3 s by the plain walk.
    result = run(root, "-c", "pack.useBitmaps=false", "push", "--quiet", "--porcelain", *atomic,
                 *(arg for option in options for arg in ("-o", option)), remote, *refspecs, check=False)
    text = (result.stdout + result.stderr).decode("utf-8", "replace")
    return result.returncode == 0, text


def remote_head(root: Path, remote: str, timeout: float = 5) -> str | None:
    """The branch the remote's HEAD names: refs/remotes/REMOTE/HEAD when the clone has it (`git clone` sets it),
    else asked of the remote (`git ls-remote --symref`, at most `timeout` seconds, never prompting); None when
    neither tells (an empty remote, one out of reach). Nothing is kept: the next call asks again."""
    import subprocess

    local = run(root, "symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD", check=False)
    if local.returncode == 0:
        return local.stdout.decode().strip().removeprefix(f"refs/remotes/{remote}/") or None
    try:
        asked = subprocess.run(("git", "ls-remote", "--symref", remote, "HEAD"), cwd=root, capture_output=True,
                               timeout=timeout, env=git_env(root, {"GIT_TERMINAL_PROMPT": "0"}))
    except (subprocess.TimeoutExpired, OSError):
        return None
    for line in asked.stdout.decode("utf-8", "replace").splitlines():
        target, _, name = line.partition("\t")
        if target.startswith("ref: refs/heads/") and name == "HEAD":
            return target.removeprefix("ref: refs/heads/")
    return None


def remote_refs(root: Path, remote: str, *patterns: str) -> dict[str, str]:
    """ref -> sha on the remote, listed without fetching anything (one `git ls-remote` for all `patterns`)."""
    result = run(root, "ls-remote", remote, *patterns, check=False)
    if result.returncode != 0:
        first = (result.stderr.decode("utf-8", "replace").strip().splitlines() or ["no answer"])[0]
        raise RemoteUnavailable(f"cannot reach the remote {remote}: {first.removeprefix('fatal: ')}",
                       hint="check `git remote -v` and the network, or use --offline")
    data = result.stdout.decode("utf-8", "replace").strip()
    refs = {}
    for line in data.splitlines():
        sha, _, ref = line.partition("\t")
        refs[ref] = sha
    return refs


def local_refs(root: Path, prefix: str) -> dict[str, str]:
    data = output(root, "for-each-ref", "--format=%(refname) %(objectname)", prefix)
    return {ref: sha for ref, _, sha in (line.partition(" ") for line in data.splitlines() if line)}


class Identity(NamedTuple):
    """Who a commit the tool builds is by, and how to build it, from one `git config` process."""
    env: dict[str, str]
    sign: bool
    algorithm: str          # the repository's object format: sha1 or sha256
    merge_driver: str | None

    def name_email(self, kind: str) -> tuple[str, str]:
        return self.env[f"GIT_{kind}_NAME"], self.env[f"GIT_{kind}_EMAIL"]


def identity(root: Path, author: str) -> Identity:
    """The agent as the author; git's user.name/user.email as the committer (the agent where unset)."""
    known = config_values(root, "user.name", "user.email", "commit.gpgsign", "extensions.objectformat",
                          "merge.gitcontracts-shard.driver")
    email = known.get("user.email") or f"{author}@agents.invalid"
    env = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": known.get("user.name") or author, "GIT_COMMITTER_EMAIL": email}
    sign = known.get("commit.gpgsign", "false").strip().lower() in ("", "true", "yes", "on", "1")
    algorithm = known.get("extensions.objectformat", "sha1").strip().lower() or "sha1"
    return Identity(env, sign, algorithm, known.get("merge.gitcontracts-shard.driver"))


class BuiltCommit(NamedTuple):
    sha: str
    changes: tuple[FileChange, ...]   # what it changes against its first parent


def build_commit(root: Path, reader: BlobReader, parents: Sequence[str], base: str | None,
                 files: Mapping[str, bytes | None], message: str, ident: Identity, when: datetime,
                 author_line: bytes | None = None) -> BuiltCommit:
    """A commit whose tree is `base` with `files` replaced (None: removed), written straight into the
    object folder (gitobjects.py): only the trees along the changed paths are read and rewritten; the
    working tree and the index are not touched. Signed commits go through `git commit-tree -S`. `author_line`
    keeps another commit's author as it was (the lander replaying a queued action)."""
    import hashlib

    from gitcontracts import gitobjects

    folder = find_git_dir(root)
    if folder is None:
        raise NotARepository(f"{root} is not a git repository", hint="run `git init` first")
    store = gitobjects.ObjectStore(gitobjects.object_folder(folder), ident.algorithm)
    width = hashlib.new(ident.algorithm).digest_size
    base_tree = reader.commit_tree(base) if base else None
    changes = []
    for path, data in files.items():
        old = reader.entry_id(f"{base}:{path}") if base else None
        new = store.oid(b"blob", data).hex() if data is not None else None
        if old != new:
            changes.append(FileChange(path, old or ZERO, new or ZERO, "A" if old is None else "D" if new is None else "M"))
    tree = gitobjects.edit_tree(store, lambda oid: reader.tree_bytes(oid.hex()),
                                bytes.fromhex(base_tree) if base_tree else None, files, width)
    tree_id = tree.hex() if tree is not None else store.write(b"tree", b"").hex()
    return BuiltCommit(_write_commit(root, store, tree_id, parents, message, ident, when, author_line), tuple(changes))


def _write_commit(root: Path, store: ObjectStore, tree_id: str, parents: Sequence[str], message: str, ident: Identity,
                  when: datetime, author_line: bytes | None = None) -> str:
    """The commit of `tree_id`, written into the object folder; signed ones through `git commit-tree -S`."""
    from gitcontracts import gitobjects

    if ident.sign:
        args = [arg for parent in parents for arg in ("-p", parent)]
        made = run(root, "commit-tree", tree_id, *args, "-S", "-m", message, env=ident.env, check=False)
        if made.returncode != 0:
            raise GitError(f"git commit-tree failed: {_last_line(made.stderr) or made.returncode}",
                           hint="check user.signingkey and gpg.format when commit.gpgsign is on")
        return made.stdout.decode().strip()
    seconds = int(when.timestamp())
    author = author_line or gitobjects.signature_line(*ident.name_email("AUTHOR"), seconds, 0)
    committer = gitobjects.signature_line(*ident.name_email("COMMITTER"), seconds, 0)
    body = gitobjects.commit_body(tree_id, tuple(parents), author, committer, message)
    return store.write(b"commit", body).hex()


def commit_moves(root: Path, base: str, moves: Mapping[str, tuple[str, str, str]], files: Mapping[str, bytes],
                 message: str, ident: Identity, when: datetime) -> BuiltCommit:
    """A commit on `base` that moves files (old path -> (new path, mode, blob id)) and writes `files`, built in
    a temporary index from the trees alone: however many files move, none is read or written again."""
    import tempfile

    from gitcontracts import gitobjects

    folder = find_git_dir(root)
    if folder is None:
        raise NotARepository(f"{root} is not a git repository", hint="run `git init` first")
    store = gitobjects.ObjectStore(gitobjects.object_folder(folder), ident.algorithm)
    changes = [FileChange(old, oid, ZERO, "D") for old, (_, _, oid) in moves.items()]
    changes += [FileChange(new, ZERO, oid, "A") for new, _, oid in moves.values()]
    null = "0" * len(base)  # the null id of the repository's hash (sha1 or sha256): "remove this path"
    info = [f"0 {null}\t{old}" for old in moves] + [f"{mode} {oid}\t{new}" for new, mode, oid in moves.values()]
    for path, data in files.items():
        oid = store.write(b"blob", data).hex()
        old = run(root, "rev-parse", "--verify", "--quiet", f"{base}:{path}", check=False).stdout.decode().strip()
        changes.append(FileChange(path, old or ZERO, oid, "M" if old else "A"))
        info.append(f"100644 {oid}\t{path}")
    with tempfile.TemporaryDirectory(prefix="gitcontracts-index-") as temp:
        env = {"GIT_INDEX_FILE": os.path.join(temp, "index")}
        run(root, "read-tree", base, env=env)
        run(root, "update-index", "-z", "--index-info", input="\0".join(info).encode("utf-8", "surrogateescape") + b"\0",
            env=env)
        tree_id = run(root, "write-tree", env=env).stdout.decode().strip()
    return BuiltCommit(_write_commit(root, store, tree_id, [base], message, ident, when), tuple(changes))


def update_index(root: Path, files: Mapping[str, bytes | None], algorithm: str = "sha1") -> None:
    """The index entries of `files` (path → the bytes just written there, None when removed) as the files
    are now: in place when they are tracked plain files (gitindex), else through `git update-index`."""
    from gitcontracts import gitindex
    from gitcontracts.gitobjects import object_folder

    if not files:
        return
    folder = find_git_dir(root)
    written = {path: data for path, data in files.items() if data is not None}
    if folder is not None and len(written) == len(files):
        if gitindex.update_entries(folder, object_folder(folder).parent, root, written, algorithm):
            return
    _with_index_lock(root, ("update-index", "--add", "--remove", "--", *files), {})


def checkout_paths(root: Path, commit: str, paths: Sequence[str]) -> None:
    """Index and working tree of `paths` as in `commit` (those it lacks are removed)."""
    present = set(run(root, "ls-tree", "-r", "--name-only", "-z", commit, "--", *paths).stdout.decode().split("\0")) - {""}
    if present:
        run(root, "checkout", commit, "--", *sorted(present))
    gone = [p for p in paths if p not in present]
    if gone:
        run(root, "rm", "-q", "-f", "--ignore-unmatch", "--", *gone)
        for path in gone:  # `git rm` leaves a file the index never had: an interrupted action's new file
            (root / path).unlink(missing_ok=True)


def worktree_of(root: Path, ref: str) -> Path | None:
    """Another worktree of this repository that has `ref` checked out (None when there is none).

    Asks git only when the repository has linked worktrees (a folder look costs nothing)."""
    from gitcontracts.gitobjects import object_folder

    folder = find_git_dir(root)
    if folder is None or not (object_folder(folder).parent / "worktrees").is_dir():
        return None
    data = run(root, "worktree", "list", "--porcelain", check=False).stdout.decode("utf-8", "surrogateescape")
    here = root.resolve()
    for block in data.split("\n\n"):
        fields = dict(line.partition(" ")[::2] for line in block.splitlines())
        if fields.get("branch") == ref and Path(fields.get("worktree", "")).resolve() != here:
            return Path(fields["worktree"])
    return None


def outside(root: Path, commits: Sequence[str], tip: str) -> set[str]:
    """Those of `commits` that `tip` does not contain, in one `git rev-list`."""
    if not commits:
        return set()
    listed = set(run(root, "rev-list", *commits, "--not", tip).stdout.decode().split())
    return {commit for commit in commits if commit in listed}


def delete_refs(root: Path, refs: Sequence[tuple[str, str]]) -> None:
    """Delete each ref that still names its commit: one transaction, else one by one (one of them moved)."""
    if not refs:
        return
    script = "".join(f"delete {ref} {sha}\n" for ref, sha in refs).encode()
    if run(root, "update-ref", "--stdin", input=script, check=False).returncode != 0:
        for ref, sha in refs:
            run(root, "update-ref", "-d", ref, sha, check=False)


def update_ref(root: Path, ref: str, new: str, old: str | None = None) -> bool:
    args = ["update-ref", ref, new] + ([old] if old else [])
    return run(root, *args, check=False).returncode == 0


def fast_forward(root: Path, target: str, progress: bool = False) -> bool:
    """Move the checked-out branch to `target` when that is a fast-forward and the working tree allows it.
    `progress`: git's own "Updating files" line on this process's standard error (a terminal), for a move of
    thousands of files (`gitcontracts layout`)."""
    if not progress:
        return run(root, *_maintenance(root), "merge", "--ff-only", "--quiet", target, check=False).returncode == 0
    import subprocess

    return subprocess.run(("git", *_maintenance(root), "merge", "--ff-only", "--no-stat", "--progress", target),
                          cwd=root, stdout=subprocess.DEVNULL, env=git_env(root)).returncode == 0


LOOSE_BYTES_DUE = 256 << 20  # loose objects past this size (estimated as git does) make git's housekeeping due


def _maintenance(root: Path) -> tuple[str, ...]:
    """`-c maintenance.auto=false` unless git's own auto maintenance would find work: an agent's fetches and merges
    then start one process fewer each, and housekeeping still runs when it is due. Git's own estimate: objects in
    one of the 256 loose-object folders (17) against gc.auto's 6,700, and packs against gc.autoPackLimit's 50.

    Git counts objects, not bytes, and an action in a repository of 10,000 contracts writes a 1 MB tree of stream
    folders (and a 0.5 MB one of stashes): 6,700 such objects would be gigabytes. So past LOOSE_BYTES_DUE of loose
    objects the housekeeping is made due (`gc.auto=1`: git packs them, in the background unless gc.autoDetach is
    false), unless the repository's own gc.auto is 0 (housekeeping turned off)."""
    folder = find_git_dir(root)
    if folder is None:
        return ()
    try:
        with os.scandir(folder / "objects" / "17") as entries:
            sizes = [entry.stat(follow_symlinks=False).st_size for entry in entries]
    except OSError:
        sizes = []
    try:
        packs = sum(1 for name in os.listdir(folder / "objects" / "pack") if name.endswith(".pack"))
    except OSError:
        packs = 0
    # (gc.auto=1 makes gc due from two objects in folder 17 on: git's estimate wants more than gc.auto / 256 there)
    if sum(sizes) * 256 > LOOSE_BYTES_DUE and len(sizes) > 1 and config_get(root, "gc.auto") != "0":
        return ("-c", "gc.auto=1")
    return () if len(sizes) * 256 > 6700 or packs > 50 else ("-c", "maintenance.auto=false")


def fetch_within(root: Path, remote: str, refspecs: Sequence[str], timeout: float) -> str | None:
    """Fetch `refspecs`, pruning what they no longer match, within `timeout` seconds: None when done, else why not.

    For reads (SPEC 13), which answer from what is local when this fails: git never prompts (no terminal,
    GIT_TERMINAL_PROMPT=0), and it runs in a process group of its own so that a timeout also ends what it
    started (ssh, a credential helper), which would otherwise keep running past the timeout."""
    import signal
    import subprocess

    try:
        process = subprocess.Popen(("git", *_maintenance(root), "fetch", "--quiet", "--no-tags", "--prune", remote, *refspecs),
                                   cwd=root,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env=git_env(root, {"GIT_TERMINAL_PROMPT": "0"}), start_new_session=True)
    except FileNotFoundError:
        return "git is not installed or not on PATH"
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):  # SIGTERM first: git removes its lock files on the way out
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=2)
                break
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue
        process.wait()
        assert process.stderr is not None
        process.stderr.close()  # not read: what the group started may hold it open
        return f"no answer within {timeout:g} s"
    return None if process.returncode == 0 else _last_line(stderr).removeprefix("fatal: ") or f"exit {process.returncode}"
