"""A shard's lines that may hold a label or a name (formats/jsonl.lines_mentioning): what `next` decodes of the
streams. Every line where the word could be, whatever JSON spelling, and in order; none of the others."""
from __future__ import annotations

import json

from gitcontracts.formats.jsonl import decode_line, entries_mentioning, lines_mentioning


def line(label: str, agent: str = "bot", **data: str) -> bytes:
    return json.dumps({"id": f"0{label}", "ts": "2026-12-06T00:00:00Z", "agent": agent, "label": label,
                       "data": data}, separators=(",", ":")).encode()


def test_the_lines_that_may_mention_a_word_in_order() -> None:
    escaped = rb'{"id":"1","ts":"2026-12-06T00:00:01Z","agent":"bot","label":"\u0071uestion","data":{}}'
    shard = b"\n".join([line("progress"), line("question", message="why?"), line("progress", agent="ada"),
                        escaped, line("answer"), line("progress")]) + b"\n" + line("question")  # torn: no newline
    found = lines_mentioning(shard, (b"question", b"ada"))
    assert [decode_line(raw)[0]["label"] for raw in found] == ["question", "progress", "question"]
    assert found[1] == line("progress", agent="ada") and found[2] == escaped  # \u may spell the word: decoded
    assert lines_mentioning(shard, (b"deliverable",)) == [escaped]
    assert lines_mentioning(b"", (b"question",)) == [] and lines_mentioning(line("question"), (b"question",)) == []


def test_a_word_twice_on_a_line_gives_the_line_once() -> None:
    shard = line("question", message="a question about the question") + b"\n"
    assert lines_mentioning(shard, (b"question", b"about")) == [shard[:-1]]


def test_the_entries_of_those_lines_are_decoded_and_the_rest_never() -> None:
    shard = line("progress") + b"\n" + b"not json but a question\n" + line("question", message="why?") + b"\n"
    assert [e["label"] for e in entries_mentioning(shard, (b"question",))] == ["question"]  # the bad line is dropped
