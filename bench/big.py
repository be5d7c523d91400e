"""Issue 14's figures: every path of the tool on a big repository, beside the same path on a small one.

    python bench/big.py [--big N] [--small N] [--repeat R] [--only ROW...] [--layout fanout]

Generates (seeded, cached under bench/_work/) a repository of N contracts (default 10,000) with 4-10 subtasks
each, their 2N stream folders, 200N entries (half of them in one stream, 1,000 in another, the rest spread over
about N/10 shards), committed and packed; then 100 commits made by the tool on top; and a bare remote holding
N/2 claim branches, each a real claim (a commit adding the claimer's entry). The same for `--small` (100)
contracts. Every row of issue 14's table is printed for both sizes side by side, with the ratio; the peers of
`validate` (check-jsonschema, and a 20-line PyYAML + jsonschema-rs loop) are measured in the same run when
installed (`pip install check-jsonschema jsonschema-rs`).

The figure is the ratio big/small: cost must follow the change, not the repository. `--layout fanout` makes and
measures the same repositories in the fan-out layout (cached apart, as big-N-fanout)."""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import WORDS, WORK, agent, clone, git_repo, gitcontracts, run  # noqa: E402

from gitcontracts.store.layout import FLAT_PATHS, Paths, paths_for  # noqa: E402

PATHS: Paths = FLAT_PATHS  # the layout measured (--layout)

GC = gitcontracts()
OWNER = agent("orchestrator")
RARE = "zeppelin"  # in exactly two contracts' objectives
COMMON = "landing"  # in about 37% of them
START = datetime(2026, 6, 1, tzinfo=timezone.utc)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOOP = '''import sys, json, yaml, jsonschema_rs
from pathlib import Path
schema = json.loads(Path(sys.argv[1]).read_text())
validator = jsonschema_rs.validator_for(schema)
bad = 0
for path in Path(sys.argv[2]).glob(sys.argv[3]):
    doc = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    if not validator.is_valid(doc.get("content")):
        bad += 1
print(bad)
'''


# ---------------------------------------------------------------- generation

def ulid(moment: datetime, rng: random.Random) -> str:
    value = (int(moment.timestamp() * 1000) << 80) | rng.getrandbits(80)
    return "".join(ALPHABET[(value >> (5 * (25 - i))) & 31] for i in range(26))


def contract_yaml(index: int, rng: random.Random) -> str:
    name = f"contract-{index:05d}"
    words = rng.sample([w for w in WORDS if w != COMMON], 2)
    if rng.random() < 0.37:
        words[0] = COMMON
    if index in (7, 70):
        words[1] = RARE
    tasks = []
    for n in range(rng.randint(4, 10)):
        status = rng.choice(("open", "open", "claimed", "completed"))
        tasks.append(f"  - id: task-{n}\n    description: {rng.choice(WORDS)} step {n}\n    status: {status}\n"
                     + (f"    assigned_agent: agent-{rng.randrange(50)}\n" if status != "open" else "")
                     + f"    budget_usdc: 5\n    linked_stream: {name}-execution\n")
    return (f"name: {name}\nschema: agent-contract\nowner: orchestrator\ndiscoverable: true\n"
            f"description: {words[0]} work item {index}\nlabels: [{words[1]}]\n"
            f"created: '2026-06-01T00:00:00Z'\ncontent:\n  objective: Improve {words[0]} and {words[1]} for item {index}\n"
            f"  success_criteria: [measurable gain, no regressions]\n"
            f"  budget_usdc: 100\n  deadline: '2099-01-01T00:00:00Z'\n  subtasks:\n{''.join(tasks)}")


def meta_yaml(stream: str, contract: str) -> str:
    return (f"stream: {stream}\nowner: orchestrator\ncreated: '2026-06-01T00:00:00Z'\ndiscoverable: true\n"
            f"linked_stash: {contract}\ndescription: ''\n")


def shard_lines(writer: str, count: int, rng: random.Random, stride: int, offset: int) -> bytes:
    """`count` entries of `writer`, in time order, spaced `stride` ms apart (shards of one stream interleave)."""
    labels = ("progress",) * 8 + ("question", "deliverable")
    out = []
    for n in range(count):
        moment = START + timedelta(milliseconds=offset + n * stride)
        label = rng.choice(labels)
        out.append(f'{{"id":"{ulid(moment, rng)}","ts":"{moment.strftime("%Y-%m-%dT%H:%M:%S.%f")}Z",'
                   f'"agent":"{writer}","label":"{label}","data":{{"subtask_id":"task-{n % 4}",'
                   f'"message":"step {n} of the {rng.choice(WORDS)} work, measured and written down"}}}}\n')
    return "".join(out).encode()


def files(contracts: int, rng: random.Random):
    """(path, bytes) of the generated tree: stashes, stream headers, shards."""
    for i in range(contracts):
        name = f"contract-{i:05d}"
        yield PATHS.stash(name), contract_yaml(i, rng).encode()
        for kind in ("execution", "discussion"):
            yield PATHS.meta(f"{name}-{kind}"), meta_yaml(f"{name}-{kind}", name).encode()
    total = 200 * contracts
    big = total // 2
    for a in range(4):  # the big stream: four writers, interleaved
        yield (PATHS.shard("contract-00000-execution", f"agent-{a}"),
               shard_lines(f"agent-{a}", big // 4, rng, 4, a))
    for a in range(2):  # the 1,000-entry stream
        yield PATHS.shard("contract-00001-execution", f"agent-{a}"), shard_lines(f"agent-{a}", 500, rng, 2, a)
    rest, shards = total - big - 1000, max(1, contracts // 10)
    for s in range(shards):
        contract = rng.randrange(2, contracts)
        kind = rng.choice(("execution", "discussion"))
        writer = f"agent-{rng.randrange(50)}"
        yield (PATHS.shard(f"contract-{contract:05d}-{kind}", writer),
               shard_lines(writer, rest // shards, rng, 1000, s))


def fast_import(repo: Path, ref: str, parent: str, message: str, items, author: str = "orchestrator") -> None:
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--force"], cwd=repo, stdin=subprocess.PIPE)
    write = proc.stdin.write  # type: ignore[union-attr]
    stamp = f"{author} <{author}@example.com> 1780272000 +0000"
    body = message.encode()
    write(f"commit {ref}\nauthor {stamp}\ncommitter {stamp}\ndata {len(body)}\n".encode() + body
          + f"\nfrom {parent}\n".encode())
    seen = set()
    for path, data in items:
        if path in seen:  # two generated shards of one writer: keep the first
            continue
        seen.add(path)
        write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    proc.stdin.close()  # type: ignore[union-attr]
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def claim_branches(remote: Path, main: str, contracts: int, rng: random.Random) -> None:
    """N/2 claim branches, each one commit adding the claimer's entry to the contract's discussion."""
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--force"], cwd=remote, stdin=subprocess.PIPE)
    write = proc.stdin.write  # type: ignore[union-attr]
    for n in range(contracts // 2):
        contract, claimer = f"contract-{(n * 2 + 2) % contracts:05d}", f"bidder-{n % 97}"
        branch = f"refs/heads/claim/{contract}/task-1/{claimer}"
        moment = START + timedelta(days=30, seconds=n)
        entry = (f'{{"id":"{ulid(moment, rng)}","ts":"{moment.strftime("%Y-%m-%dT%H:%M:%S.%f")}Z","agent":"{claimer}",'
                 f'"label":"claim","data":{{"subtask_id":"task-1","message":"I can do this"}}}}\n').encode()
        stamp = f"{claimer} <{claimer}@example.com> {int(moment.timestamp())} +0000"
        body = f"claim: {contract}/task-1\n\nContract: {contract}\nSubtask: task-1\nAction: claim\nAgent: {claimer}\n".encode()
        write(f"commit {branch}\nauthor {stamp}\ncommitter {stamp}\ndata {len(body)}\n".encode() + body
              + f"\nfrom {main}\nM 100644 inline {PATHS.shard(f'{contract}-discussion', claimer)}\n"
                f"data {len(entry)}\n".encode() + entry + b"\n")
    proc.stdin.close()  # type: ignore[union-attr]
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


def packed_refs(remote: Path) -> None:
    """The remote's refs packed, as its automatic gc leaves a served repository (the pushes of 5,000 claims make
    enough loose objects for it to run): 5,000 loose refs would cost every push, fetch and ls-remote ~0.1 s to
    read them."""
    if any(path.is_file() for path in (remote / "refs" / "heads").rglob("*")):
        run(["git", "pack-refs", "--all"], remote)


def make_big(contracts: int) -> Path:
    """bench/_work/big-N: `repo` (with the tool's 100 commits on top, tagged `generated`), `remote.git` (guarded,
    with the claim branches), cached."""
    home = WORK / f"big-{contracts}" if not PATHS.fanout else WORK / f"big-{contracts}-fanout"
    if (home / ".made").exists():
        packed_refs(home / "remote.git")  # a cache made before the generator packed them
        return home
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    repo = git_repo(home / "repo")
    run(["git", "config", "gc.auto", "0"], repo)
    run([*GC, "init", "--agent", "orchestrator", "--layout", PATHS.name], repo, OWNER)
    rng = random.Random(14)
    fast_import(repo, "refs/heads/main", run(["git", "rev-parse", "HEAD"], repo).stdout.strip(),
                "contracts: generated\n\nAgent: orchestrator\n", files(contracts, rng))
    run(["git", "reset", "-q", "--hard", "main"], repo)
    run(["git", "tag", "generated"], repo)
    print(f"  generated {contracts:,} contracts in {time.perf_counter() - started:.0f} s; now 100 actions by the tool",
          file=sys.stderr)
    for n in range(100):  # what check --range reads: commits made by the tool
        who = f"agent-{n % 5}"
        if n % 2:
            args = ["stream", "post", f"contract-{n:05d}-discussion", "--label", "question", "--data",
                    '{"message": "which format?"}']
        else:
            args = ["stream", "post", f"contract-{n:05d}-execution", "--label", "progress", "--data",
                    f'{{"subtask_id": "task-0", "message": "step {n}"}}']
        run([*GC, *args, "--offline"], repo, agent(who))
    run(["git", "gc", "-q"], repo)
    remote = home / "remote.git"
    run(["git", "clone", "-q", "--bare", str(repo), str(remote)], home)
    run(["git", "config", "gc.auto", "0"], remote)
    run([*GC, "-C", str(remote), "hooks", "install"], home, OWNER)
    run(["git", "remote", "add", "origin", str(remote)], repo)
    run([*GC, "init", "--remote", "origin", "--agent", "orchestrator"], repo, OWNER)
    claim_branches(remote, run(["git", "rev-parse", "main"], remote).stdout.strip(), contracts, rng)
    run(["git", "repack", "-adfq"], remote)  # fast-import stores each claim's streams tree whole: delta them
    packed_refs(remote)
    (home / ".made").touch()
    print(f"  made in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return home


# ---------------------------------------------------------------- measuring

def measured(args: list[str], cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None,
             check: bool = True) -> tuple[float, float]:
    """(wall ms, peak RSS MiB of the process and what it waited for) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate(stdin)
    wall = (time.perf_counter() - start) * 1000
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err.decode(errors='replace')[-500:]}")
    return wall, usage.ru_maxrss / 1024


def peak_rss(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Peak RSS (MiB) of one run, in a fresh process (RUSAGE_CHILDREN keeps the largest child so far)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *args], cwd=cwd, env={**os.environ, **(env or {})},
                         capture_output=True, text=True, check=True)
    return int(out.stdout) / 1024


def median_ms(args: list[str], cwd: Path, env: dict[str, str] | None = None, repeat: int = 5,
              prepare=None) -> float:
    samples = []
    for _ in range(repeat + 1):  # the first run warms the caches (page cache, byte code, the tool's own)
        if prepare:
            prepare()
        samples.append(measured(args, cwd, env)[0])
    return statistics.median(samples[1:])


def scratch(home: Path, into: Path, name: str = "orchestrator") -> Path:
    """A clone of a copy of the shared remote to act in (the cached ones stay as generated). The copy links the
    cached files: git replaces a file it changes (lock and rename), it never writes into one."""
    remote = into / "remote.git"
    if not remote.exists():
        run(["cp", "-al", str(home / "remote.git"), str(remote)], into)
    return settled(clone(remote, into / name, name))


def settled(repo: Path) -> Path:
    """A clone as it is once its agent has worked in it. `git clone` writes the index in the second it checks the
    files out, so each entry is "racily clean" (its file's mtime is not older than the index), and the first index
    write after it re-reads all 31,000 files (0.2 s), once per clone, whatever writes it. Paid here, untimed: the
    files' times set a minute back and git's refresh, which compares their content and records their stat."""
    back = time.time() - 60
    for folder, folders, names in os.walk(repo):
        folders[:] = [f for f in folders if f != ".git"]
        for name in names:
            os.utime(os.path.join(folder, name), (back, back), follow_symlinks=False)
    run(["git", "update-index", "-q", "--refresh"], repo)
    return repo


def loose_bytes(repo: Path) -> int:
    objects = repo / ".git" / "objects"
    return sum(p.stat().st_size for d in objects.iterdir() if len(d.name) == 2 for p in d.iterdir())


def git_processes(args: list[str], cwd: Path, env: dict[str, str]) -> int:
    with tempfile.NamedTemporaryFile(prefix="gc-trace-") as trace:
        run(args, cwd, {**env, "GIT_TRACE2_EVENT": trace.name})
        return sum(1 for line in Path(trace.name).read_text().splitlines() if '"event":"start"' in line)


def open_subtask(stash: Path) -> str:
    import yaml

    return next(t["id"] for t in yaml.safe_load(stash.read_text())["content"]["subtasks"] if t["status"] == "open")


def rows_for(home: Path, repeat: int, only: set[str]) -> dict[str, str]:
    """Every row's figure for one generated repository, as text."""
    repo, out = home / "repo", {}
    contracts = int(home.name.split("-")[1])
    read = [*GC, "--agent", "orchestrator"]

    def want(key: str) -> bool:
        return not only or key in only

    def cold(args: list[str], cache: str) -> float:
        """One run with the cache it keeps in .git/ removed: a fresh clone's first run."""
        (repo / ".git" / cache).unlink(missing_ok=True)
        return measured(args, repo)[0]

    if want("status"):
        args = [*read, "status", "--json", "--offline"]
        first = cold(args, "gitcontracts-docs.json")
        out["status"] = f"{median_ms(args, repo, repeat=repeat):,.0f} ms (first {first:,.0f})"
    if want("discover"):
        first = cold([*read, "discover", "-q", COMMON, "--json", "--offline"], "gitcontracts-discover.json")
        common = median_ms([*read, "discover", "-q", COMMON, "--json", "--offline"], repo, repeat=repeat)
        rare = median_ms([*read, "discover", "-q", RARE, "--json", "--offline"], repo, repeat=repeat)
        out["discover"] = f"{common:,.0f} / {rare:,.0f} ms (first {first:,.0f})"
    if want("read"):
        for stream, key in (("contract-00001-execution", "read 1,000"), ("contract-00000-execution", "read big")):
            args = [*read, "stream", "read", stream, "--label", "progress", "--limit", "10", "--json", "--offline"]
            first = cold(args, "gitcontracts-order.json")
            out[key] = f"{median_ms(args, repo, repeat=repeat):,.0f} ms, {peak_rss(args, repo):,.0f} MiB (first {first:,.0f})"
    if want("next"):
        # an agent that owns nothing (it bid on some contracts), and the owner of them all: first (the shards new to
        # the clone) and after
        bidder = median_ms([*GC, "--agent", "bidder-5", "next", "--json", "--offline"], repo, repeat=repeat)
        owner = [*read, "next", "--json", "--offline"]
        first = cold(owner, "gitcontracts-next.json")
        after = median_ms(owner, repo, repeat=max(1, repeat // 2))
        out["next"] = f"{bidder:,.0f} ms; owner {after / 1000:,.2f} s (first {first / 1000:,.1f})"
    if want("latest"):
        args = [*read, "stream", "latest", "contract-00000-execution", "--offline"]
        out["latest"] = f"{median_ms(args, repo, repeat=repeat):,.1f} ms"
    if want("range"):
        commits = int(run(["git", "rev-list", "--count", "generated..HEAD"], repo).stdout)
        took = median_ms([*read, "check", "--range", "generated..HEAD"], repo, repeat=max(1, repeat // 2))
        out["range"] = f"{commits / took * 1000:,.0f} commits/s"
    with tempfile.TemporaryDirectory(prefix="gc-big-") as temp:
        work = Path(temp)
        owner = scratch(home, work) if {"hook", "action", "watch", "claim", "receive"} & (only or {"hook"}) else None
        if owner and want("hook"):
            run([*GC, "hooks", "install"], owner, OWNER)
            stash = owner / PATHS.stash("contract-00042")
            stash.write_text(stash.read_text().replace("for item 42\n", "for item 42, sooner\n"))
            run(["git", "add", str(stash)], owner)
            hook = median_ms([str(owner / ".git/hooks/pre-commit")], owner, OWNER, repeat)
            check = median_ms([*GC, "check", "--staged"], owner, OWNER, repeat)
            floor = median_ms([sys.executable, "-c", "pass"], owner, OWNER, repeat)
            out["hook"] = f"{hook:,.0f} ms (check {check:,.0f}; python -c pass {floor:,.0f})"
            run(["git", "reset", "-q", "--hard"], owner)
        if owner and want("action"):
            poster = agent("agent-3")
            post = [*GC, "stream", "post", "contract-00005-execution", "--label", "progress", "--data",
                    '{"subtask_id": "task-0", "message": "a step"}', "--offline"]
            took = median_ms(post, owner, poster, repeat)
            before = loose_bytes(owner)
            processes = git_processes(post, owner, poster)
            grown = loose_bytes(owner) - before
            out["action"] = f"{took:,.0f} ms, {processes} git, {grown / 1024:,.0f} KiB loose"
        if owner and want("watch"):
            first = measured([*GC, "watch", "--once"], owner, OWNER)[0]
            again = median_ms([*GC, "watch", "--once"], owner, OWNER, max(1, repeat // 2))
            out["watch"] = f"{first / 1000:,.2f} s first, {again / 1000:,.2f} s after"
        if owner and want("claim"):
            claims, awards = [], []
            for n, contract in enumerate(("contract-00003", "contract-00005", "contract-00007")):
                # each a first claim and a first award: the bidder's clone and the owner's both fresh
                bidder, owning = scratch(home, work, f"solo-bot-{n}"), scratch(home, work, f"owner-{n}")
                task = open_subtask(owning / PATHS.stash(contract))
                claims.append(measured([*GC, "claim", contract, task, "-m", "mine"], bidder, agent(f"solo-bot-{n}"))[0])
                awards.append(measured([*GC, "award", contract, task, f"solo-bot-{n}"], owning, OWNER)[0])
            out["claim"] = f"{statistics.median(claims) / 1000:,.2f} s / {statistics.median(awards) / 1000:,.2f} s"
        if owner and want("receive"):
            # The hook itself, run as git runs it, on a commit whose objects the remote already has (a push's
            # transfer costs the same with or without the hook, and timing the difference of two pushes is noise).
            remote, poster = work / "remote.git", agent("agent-4")
            pusher = scratch(home, work, "agent-4")
            samples = []
            for n in range(repeat + 1):
                run([*GC, "stream", "post", "contract-00006-execution", "--label", "progress", "--data",
                     f'{{"message": "step {n}"}}', "--offline"], pusher, poster)
                old, new = (run(["git", "rev-parse", rev], pusher).stdout.strip() for rev in ("HEAD~1", "HEAD"))
                run(["git", "fetch", "-q", str(pusher), f"{new}:refs/bench/pushed"], remote)
                stdin = f"{old} {new} refs/heads/main\n".encode()
                samples.append(measured([str(remote / "hooks/pre-receive")], remote, {**poster, "GIT_DIR": "."}, stdin)[0])
                run(["git", "update-ref", "refs/heads/main", new, old], remote)  # as git would, after the hook
            out["receive"] = f"{statistics.median(samples[1:]):,.0f} ms"
    if want("validate"):
        out.update(validate_rows(repo, contracts, repeat))
    if want("move") and not PATHS.fanout:
        # `gitcontracts layout fanout` in a clone of the generated repository (offline: its remote holds N/2
        # pending claims, which a move waits for), and `check --range` of the move's one commit
        with tempfile.TemporaryDirectory(prefix="gc-big-move-") as temp:
            mover = settled(clone(repo, Path(temp) / "mover", "orchestrator"))
            took = measured([*GC, "layout", "fanout", "--offline"], mover, OWNER)[0]
            check = measured([*GC, "check", "--range", "HEAD~1..HEAD"], mover, OWNER)[0]
            out["move"] = f"{took / 1000:,.1f} s (its check {check / 1000:,.1f} s)"
    return out


STASH_GLOB = {False: "*.yaml", True: "*/*.yaml"}


def validate_rows(repo: Path, contracts: int, repeat: int) -> dict[str, str]:
    stashes = repo / ".contracts/stashes"
    verdicts = repo / ".git/gitcontracts-verdicts.json"
    cold = median_ms([*GC, "validate", str(stashes)], repo, OWNER, max(1, repeat // 2),
                     prepare=lambda: verdicts.unlink(missing_ok=True))
    ours = median_ms([*GC, "validate", str(stashes)], repo, OWNER, max(1, repeat // 2))
    out = {"validate": f"{contracts / ours * 1000:,.0f}/s", "validate cold": f"{contracts / cold * 1000:,.0f}/s"}
    import json

    import yaml

    builtin = Path(__file__).resolve().parents[1] / "src/gitcontracts/builtin_schemas/agent-contract@1.yaml"
    definition = yaml.safe_load(builtin.read_text())["definition"]
    with tempfile.TemporaryDirectory(prefix="gc-big-peer-") as temp:
        schema = Path(temp) / "schema.json"
        schema.write_text(json.dumps(definition))
        loop = Path(temp) / "loop.py"
        loop.write_text(LOOP)
        try:
            import jsonschema_rs  # noqa: F401
            took = median_ms([sys.executable, str(loop), str(schema), str(stashes), STASH_GLOB[PATHS.fanout]], repo,
                             repeat=max(1, repeat // 2))
            out["loop"] = f"{contracts / took * 1000:,.0f}/s (ours {took / ours:.1f}x, cold {took / cold:.1f}x)"
        except ImportError:
            out["loop"] = "not installed"
        checker = Path(sys.executable).parent / "check-jsonschema"
        if checker.exists():
            whole = Path(temp) / "whole.json"
            whole.write_text(json.dumps({"type": "object", "properties": {"content": json.loads(schema.read_text())}}))
            files = sorted(str(p) for p in stashes.glob(STASH_GLOB[PATHS.fanout]))
            took = median_ms([str(checker), "--schemafile", str(whole), *files], repo, repeat=1)
            out["check-jsonschema"] = f"{contracts / took * 1000:,.0f}/s (ours {took / ours:.0f}x, cold {took / cold:.1f}x)"
        else:
            out["check-jsonschema"] = "not installed"
    return out


ROWS = (("status", "status (all contracts)", "< 1 s"),
        ("discover", "discover -q WORD, common / rare", "< 1 s / < 300 ms"),
        ("read 1,000", "stream read --label --limit 10, 1,000 entries", "—"),
        ("read big", "  the same, the biggest stream (half the entries)", "< 2x the 1,000 case, < 100 MiB"),
        ("next", "next: an agent; the owner of every contract", "—"),
        ("latest", "stream latest", "< 50 ms flat"),
        ("range", "check --range, the tool's 100 commits", ">= 300 commits/s"),
        ("hook", "pre-commit hook, one contract changed", "< 100 ms"),
        ("action", "one local action (stream post)", "< 150 ms, flat"),
        ("validate", "validate .contracts/stashes (verdicts kept)", ">= 3x the loop"),
        ("validate cold", "  the same, nothing kept (first run, or all changed)", "—"),
        ("loop", "  20-line PyYAML (C) + jsonschema-rs loop", "—"),
        ("check-jsonschema", "  check-jsonschema", "—"),
        ("watch", "watch --once, N/2 claim branches on the remote", "< 2 s"),
        ("claim", "first claim / award, N/2 claim branches", "< 1 s"),
        ("receive", "pre-receive, per pushed ref", "< 100 ms"),
        ("move", "layout fanout (the move), flat layout only", "progress shown"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=10_000, help="contracts in the big repository")
    parser.add_argument("--small", type=int, default=100, help="contracts in the small one")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", nargs="*", default=[], help="row keys: " + " ".join(k for k, _, _ in ROWS))
    parser.add_argument("--layout", choices=("flat", "fanout"), default="flat", help="where stashes and streams sit")
    args = parser.parse_args()
    global PATHS
    PATHS = paths_for(args.layout)
    homes = [make_big(args.small), make_big(args.big)]
    figures = [rows_for(home, args.repeat, set(args.only)) for home in homes]
    width = max(len(title) for _, title, _ in ROWS)
    print(f"  {args.layout + ' layout':<{width}}  {args.small:>10,} contracts  {args.big:>10,} contracts   target")
    for key, title, target in ROWS:
        if key in figures[0] or key in figures[1]:
            print(f"  {title:<{width}}  {figures[0].get(key, '-'):>20}  {figures[1].get(key, '-'):>20}   {target}")


if __name__ == "__main__":
    main()
