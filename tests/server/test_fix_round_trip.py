"""Every quick fix the server offers on the fixture corpus, applied by the editor in its
own units: the result parses, the finding is gone, and no finding is added. Fix-all too.

The fixed text is re-checked with the analysis the server runs (``analyze_source``),
which is what the server would publish for it; the server itself is exercised by the
round trip of positions (diagnostic range -> code action request -> edits applied).
"""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.fix_all import select_fixes

from .conftest import CONFIG, PROFILES, start_editor
from .editor import Editor

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "analysis"
FIXTURES = sorted(CORPUS.rglob("*.py"))
FIX_ALL = "source.fixAll.leak-lsp"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, params=PROFILES, scope="module")
async def corpus_client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    lsp_client.editor = await start_editor(lsp_client, request.param, tmp_path_factory.mktemp("corpus"))  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def _codes(text: str, path: Path) -> Counter[str]:
    return Counter(finding.code for finding in analyze_source(text, str(path)).findings)


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError:
        return False
    return True


def _check_fixed(original: str, fixed: str, path: Path, code: str | None, what: str) -> None:
    before, after = _codes(original, path), _codes(fixed, path)
    if _parses(original):
        assert _parses(fixed), f"{what}: the fixed text does not parse"
    new = {c: after[c] - before[c] for c in after if after[c] > before[c]}
    assert not new, f"{what}: new findings {new}"
    if code is not None:
        assert after[code] < before[code], f"{what}: {code} is still there"
    else:
        assert sum(after.values()) < sum(before.values()), f"{what}: nothing was fixed"


@pytest.mark.parametrize("path", FIXTURES, ids=[str(path.relative_to(CORPUS)) for path in FIXTURES])
async def test_every_quick_fix_and_fix_all_round_trip(corpus_client: LanguageClient, path: Path) -> None:
    editor: Editor = corpus_client.editor  # type: ignore[attr-defined]
    uri, text = path.as_uri(), path.read_text(encoding="utf-8")
    editor.open(uri, text)
    try:
        for diagnostic in [d for d in await editor.diagnostics(uri) if d.code]:
            start, end = editor.offsets(uri, diagnostic.range)
            for offered in await editor.code_actions(uri, start, end, only=[types.CodeActionKind.QuickFix]):
                if [(d.code, d.range) for d in offered.diagnostics or []] == [(diagnostic.code, diagnostic.range)]:
                    action = await editor.resolved(offered)
                    assert action.edit is not None
                    fixed = editor.applied(uri, action.edit)
                    _check_fixed(text, fixed, path, str(diagnostic.code), f"{action.title} on line {diagnostic.range.start.line + 1}")
        for offered in await editor.code_actions(uri, 0, 0, only=[FIX_ALL]):
            action = await editor.resolved(offered)
            assert action.edit is not None
            fixed = editor.applied(uri, action.edit)
            if fixed == text:  # offered for settle fixes not yet computed, none of them safe
                assert not select_fixes(analyze_source(text, str(path)).findings, unsafe=False)
            else:
                _check_fixed(text, fixed, path, None, "fix all")
    finally:
        editor.close(uri)
