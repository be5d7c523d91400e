"""The docs stand alone: every relative link in README.md and docs/*.md reaches a file of this repository (and a
heading of it, for `file.md#anchor`), and nothing cites a specification users do not have. Messages the code
prints do not either."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|^\s*\[[^\]]+\]:\s*(\S+)|href=\"([^\"]+)\"", re.M)
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
OUTSIDE = re.compile(r"\bSPEC\b|\.\./shared|shared/SPEC")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def docs(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The text without fenced code blocks and inline code: what a reader sees as links and headings."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a Markdown file (a repeated heading gets -1, -2, ...)."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", path.read_text(encoding="utf-8")), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        number, base = 0, slug
        while slug in found:
            number += 1
            slug = f"{base}-{number}"
        found.add(slug)
    return found


def link_problem(root: Path, source: Path, target: str) -> str | None:
    if SCHEME.match(target):
        return None  # a public website (or mailto:): fine
    path_part, _, anchor = target.partition("#")
    where = (root / path_part.lstrip("/")) if path_part.startswith("/") else (source.parent / path_part)
    where = where.resolve() if path_part else source
    if root not in (where, *where.parents):
        return f"{target}: outside the repository"
    if not where.exists():
        return f"{target}: no such file in the repository"
    if anchor and where.suffix == ".md" and anchor not in anchors(where):
        return f"{target}: {where.name} has no heading with the anchor #{anchor}"
    return None


def problems(root: Path) -> list[str]:
    found = []
    for doc in docs(root):
        text = doc.read_text(encoding="utf-8")
        name = doc.relative_to(root)
        for number, line in enumerate(text.splitlines(), 1):
            hit = OUTSIDE.search(line)
            if hit:
                found.append(f"{name}:{number}: cites {hit.group()!r}, which users do not have: link our own docs instead")
        for match in LINK.finditer(prose(text)):
            target = next(group for group in match.groups() if group)
            problem = link_problem(root, doc, target)
            if problem:
                found.append(f"{name}: {problem}")
    return found


def test_readme_and_docs_link_only_to_what_the_repository_has() -> None:
    found = problems(ROOT)
    assert not found, "\n".join(found)


def test_the_docs_link_their_reference_and_fields() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/reference.md)" in readme and "](docs/fields.md)" in readme
    assert "_GITCONTRACTS_COMPLETE=bash_source gitcontracts" in readme


def test_a_broken_link_an_outside_link_and_a_spec_citation_are_caught(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n## The part\n\n```sh\n# not a heading\n```\n")
    (tmp_path / "README.md").write_text(
        "[ok](docs/a.md) [ok](docs/a.md#the-part) [web](https://pre-commit.com/) [here](#readme)\n"
        "[gone](docs/missing.md) [anchor](docs/a.md#not-a-heading) [spec](../shared/SPEC.md)\n"
        "as SPEC 6.2 says\n`[in code](nowhere.md)`\n\n# readme\n")
    found = problems(tmp_path)
    assert len(found) == 5, found
    assert any("docs/missing.md: no such file" in p for p in found)
    assert any("no heading with the anchor #not-a-heading" in p for p in found)
    assert any("../shared/SPEC.md: outside the repository" in p for p in found)
    assert sum("users do not have" in p for p in found) == 2  # line 2 (../shared) and line 3 (SPEC)


def user_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module that are not docstrings: messages, hints, help texts."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_messages_and_help_texts_point_to_our_docs() -> None:
    cited = [f"{module.relative_to(ROOT)}:{line}: {text[:80]!r}"
             for module in sorted((ROOT / "src" / "gitcontracts").rglob("*.py"))
             for line, text in user_strings(module) if OUTSIDE.search(text)]
    assert not cited, "\n".join(cited)


def test_the_public_library_docstrings_point_to_our_docs() -> None:
    for name in ("api.py", "errors.py", "model.py"):
        text = (ROOT / "src" / "gitcontracts" / name).read_text(encoding="utf-8")
        docstrings = [ast.get_docstring(node) or "" for node in ast.walk(ast.parse(text))
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))]
        assert not [d for d in docstrings if OUTSIDE.search(d)], name
