"""config.yaml in the plain form `init` writes is read without PyYAML (`stream latest`, the call agents poll), and
whatever that reader accepts, it reads exactly as PyYAML does; anything else is PyYAML's."""
from __future__ import annotations

import json
import subprocess
import sys

import yaml
from hypothesis import given, strategies as st

from conftest import Shared
from gitcontracts.store.config import plain_mapping

KEYS = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)
WORDS = st.one_of(st.from_regex(r"[A-Za-z0-9_./-]{1,12}", fullmatch=True),
                  st.sampled_from(["yes", "No", "ON", "off", "y", "n", "null", "Null", "true", "True", "false", "1e3",
                                   "0x1f", "010", "00", "1_000", ".inf", "-.nan", "5.", "2026-01-01", "1.2.3", "0", "-1"]),
                  st.integers(0, 10**9).map(str))


@given(st.lists(st.tuples(KEYS, WORDS, st.booleans()), min_size=1, max_size=8))
def test_what_the_plain_reader_accepts_it_reads_as_pyyaml_does(lines: list[tuple[str, str, bool]]) -> None:
    text = "".join((f"  {key}: {word}\n" if nested else f"{key}: {word}\n") for key, word, nested in lines)
    if any(nested for _, _, nested in lines):
        text = "limits:\n" + text
    fast = plain_mapping(text.encode())
    if fast is not None:
        assert fast == yaml.safe_load(text)


def test_the_config_init_writes_is_read_without_pyyaml(shared: Shared) -> None:
    assert shared("orchestrator", "init", "--remote", "origin", "--lander", "lander").code == 0
    assert shared("orchestrator", "stream", "create", "notes").code == 0
    owner = shared.clone("orchestrator")
    assert plain_mapping((owner / ".contracts" / "config.yaml").read_bytes()) is not None
    code = ("import json, sys\nfrom gitcontracts.cli import main\nmain(['stream', 'latest', 'notes', '--json'])\n"
            "print(json.dumps('yaml' in sys.modules))")
    ran = subprocess.run([sys.executable, "-c", code], cwd=owner, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1]) is False
