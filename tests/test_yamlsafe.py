"""The strict YAML loader: plain data only, bounded, every refusal a clear InvalidContent with a line."""
from __future__ import annotations

import time

import pytest
import yaml

from gitcontracts.errors import InvalidContent
from gitcontracts.formats import yamlsafe


def test_scalars_follow_yaml_1_2_and_timestamps_stay_strings() -> None:
    doc = yamlsafe.load(b"on: {claim: x}\nyes: no\nn: 010\nh: 0x1f\ne: 1e3\nt: 2026-05-01T00:00:00Z\nd: 2026-05-01\n"
                        b"b: true\nz: ~\n")
    assert doc == {"on": {"claim": "x"}, "yes": "no", "n": 10, "h": 31, "e": 1000.0,
                   "t": "2026-05-01T00:00:00Z", "d": "2026-05-01", "b": True, "z": None}


def test_dump_reads_back_the_same() -> None:
    value = {"a": "0o17", "b": "1e3", "c": "yes", "d": "2026-01-01T00:00:00Z", "e": "on", "f": 1.5, "g": [1, "x"], "h": None}
    assert yamlsafe.load(yamlsafe.dump(value)) == value


BILLION_LAUGHS = b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + b"".join(
    b"%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n" % ((98 + i, 98 + i) + (97 + i,) * 9) for i in range(8))


@pytest.mark.parametrize("data, message", [
    (b"a: 1\na: 2\n", "2: duplicate key 'a'"),
    (b"a: !!python/object/apply:os.system [ls]\n", "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    (b"a: !custom x\n", "tag '!custom' is not allowed"),
    (b"a: !!binary aGk=\n", "is not allowed"),
    (BILLION_LAUGHS, "aliases expand to more than"),
    (b"a: &x [*x]\n", "unknown or recursive alias"),
    (b"[" * 100_000 + b"]" * 100_000, "nesting deeper than 100 levels"),  # libyaml's own limit fires first
    (b"a: " + b"{b: " * 5_000 + b"}" * 5_000, "nesting deeper than 100 levels"),
    (b"[" * 150 + b"]" * 150, "nesting deeper than 100 levels"),  # under libyaml's limit: ours
    (b"".join(b"  " * i + b"- \n" for i in range(150)), "nesting deeper than 100 levels"),
    (b"".join(b" " * i + b"- \n" for i in range(1_200)), "nesting deeper than 100 levels"),
    (b"a: \xff\xfe\n", "not valid UTF-8"),
    (b"a: b\x00c\n", "NUL byte"),
    (b"a: 1\n---\nb: 2\n", "more than one YAML document"),
    (b"a: [1\n", "YAML syntax error"),
    (b"", "empty document"),
    (b"? [a, b]\n: c\n", "mapping key must be a scalar"),
])
def test_hostile_or_broken_yaml_is_refused_quickly(data: bytes, message: str) -> None:
    start = time.monotonic()
    with pytest.raises(InvalidContent) as caught:
        yamlsafe.load(data, "f.yaml")
    assert message in caught.value.message
    assert caught.value.message.startswith("f.yaml")
    assert time.monotonic() - start < 2


def test_oversized_input_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidContent, match="over the limit"):
        yamlsafe.load(b"a: " + b"x" * 2_000_000, "big.yaml")


def test_line_map_gives_the_line_of_each_path() -> None:
    text = "name: n\ncontent:\n  subtasks:\n    - id: a\n      status: open\n    - id: b\n      status: x\n"
    lines = yamlsafe.line_map(text)
    assert lines["content.subtasks[1].status"] == 7
    assert lines["content.subtasks[0]"] == 4


def test_a_parser_refusal_past_the_depth_limit_is_ours_whatever_the_parser_calls_it() -> None:
    """libyaml's wording is not ours to depend on: the brackets still open at its error decide."""
    text = "a: " + "[" * 1_500
    mark = yaml.Mark("f.yaml", 1_002, 0, 1_002, text, 1_002)
    refusal = yaml.scanner.ScannerError("while scanning", None, "some future wording", mark)
    assert yamlsafe._too_deep(refusal, text, 100)
    assert not yamlsafe._too_deep(refusal, "a: " + "[" * 50 + "x" * 1_500, 100)
