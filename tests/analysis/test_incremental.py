"""Incremental analysis equals a fresh analysis of the same text, after any sequence of edits."""

from __future__ import annotations

import ast
from unittest.mock import patch

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.engine import _Module
from leak_lsp.analysis.incremental import IncrementalAnalyzer
from leak_lsp.analysis.parsing import ChunkCache, TreeIndex, parse_module

from .fixture_corpus import all_fixtures

PATH = "handlers.py"

# Top-level statements of a handler module: imports, module-level objects, helpers, handlers,
# classes, decorated and driven entries, some in two versions that differ by one line.
SNIPPETS = [
    "import threading",
    "import asyncio",
    "from concurrent.futures import ThreadPoolExecutor",
    "import signal",
    "EXECUTOR = ThreadPoolExecutor(max_workers=2)",
    "EXECUTOR = None",
    "WORKERS = []",
    "def start(event):\n    worker = threading.Thread(target=print)\n    worker.start()\n    return worker",
    "def start(event):\n    worker = threading.Thread(target=print)\n    worker.start()\n    worker.join()\n    return worker",
    "def submit(items):\n    EXECUTOR.submit(print, items)",
    "def settle(worker):\n    worker.join()",
    "def settle(worker):\n    pass",
    "def lambda_handler(event, context):\n    worker = start(event)\n    return {'ok': True}",
    "def lambda_handler(event, context):\n    worker = start(event)\n    settle(worker)\n    return {'ok': True}",
    "def handler(event, context):\n    submit(event)\n    signal.alarm(5)\n    return 1",
    "def handler(event, context):\n    worker = threading.Thread(target=print)\n    worker.start()\n"
    "    if event:\n        return 2\n    settle(worker)",
    "def handler(event, context):\n    WORKERS.append(threading.Thread(target=print))\n    WORKERS[-1].start()",
    "async def main(event):\n    asyncio.create_task(asyncio.sleep(1))",
    "async def main(event):\n    task = asyncio.create_task(asyncio.sleep(1))\n    await task",
    "def driven(event, context):\n    return asyncio.run(main(event))",
    "class App:\n    def __init__(self):\n        self.pool = ThreadPoolExecutor()\n\n"
    "    def __call__(self, event, context):\n        self.pool.submit(print)\n        return 1",
    "class App:\n    def __call__(self, event, context):\n        self.work(event)\n\n    def work(self, event):\n"
    "        start(event)",
    "class Base:\n    def work(self, event):\n        submit(event)",
    "class Child(Base):\n    def handle(self, event, context):\n        self.work(event)",
    "app = object()",
    "@app.route('/')\ndef index(event, context):\n    start(event)",
    "@functools.wraps(print)\ndef wrapped(event, context):\n    submit(event)",
    "if __name__ == '__main__':\n    lambda_handler({}, None)",
    "def broken(event, context:\n    start(event)",
    "EXECUTOR.shutdown()",
    # import-time work, a module-level loop and buffer, `global`, a local decorator, another import
    "threading.Thread(target=print).start()",
    "WORKER = start({})",
    "LOOP = asyncio.new_event_loop()",
    "def looped(event, context):\n    return LOOP.run_until_complete(main(event))",
    "from opentelemetry.sdk.trace.export import BatchSpanProcessor\nprovider.add_span_processor(BatchSpanProcessor(exporter))",
    "def reset(event, context):\n    global WORKERS\n    WORKERS = [threading.Thread(target=print)]\n    WORKERS[0].start()",
    "def deco(func):\n    def wrapper(event, context):\n        start(event)\n        return func(event, context)\n    return wrapper",
    "@deco\ndef decorated(event, context):\n    return 1",
    "from threading import Thread as Timer",
    "class Pooled:\n    pool = ThreadPoolExecutor()\n\n    def __call__(self, event, context):\n        self.pool.submit(print)",
    "WORKER = threading.Thread(target=print)\nWORKER.start()\nsettle(WORKER)",  # settled unless `settle` passes
]

VERSIONS = {4: 5, 5: 4, 10: 11, 11: 10, 0: 2, 2: 0}  # the other version, on as many lines
modules = st.lists(st.sampled_from(range(len(SNIPPETS))), max_size=10)
edit = st.tuples(st.sampled_from(["insert", "delete", "replace", "blank line", "other version"]), st.integers(0, 20),
                 st.sampled_from(range(len(SNIPPETS))))


def _apply(module: list[int | None], operation: tuple[str, int, int]) -> list[int | None]:
    kind, where, snippet = operation
    where = where % (len(module) + 1)
    if kind == "insert":
        return [*module[:where], snippet, *module[where:]]
    if kind == "blank line":  # moves everything below by one line
        return [*module[:where], None, *module[where:]]
    if not module:
        return module
    where = where % len(module)
    if kind == "other version":
        current = module[where]
        return [*module[:where], VERSIONS.get(current, current) if current is not None else None, *module[where + 1:]]
    return [*module[:where], *([snippet] if kind == "replace" else []), *module[where + 1:]]


def _text(module: list[int | None], newline: str = "\n") -> str:
    return ("\n\n\n".join("" if index is None else SNIPPETS[index] for index in module) + "\n").replace("\n", newline)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules, st.lists(edit, min_size=1, max_size=6), st.booleans(), st.sampled_from(["\n", "\r\n", "\r"]))
@example([9, 22, 23, 23], [("delete", 2, 0)], False, "\n")  # a class defined twice: the survivor is no longer shadowed
@example([20, 20], [("insert", 0, 0), ("replace", 0, 0)], False, "\n")  # two entries of the same name and text: each keeps its own outcome
def test_edits_across_a_module_give_the_fresh_analysis(start: list[int], edits: list[tuple[str, int, int]],
                                                       fixes: bool, newline: str) -> None:
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes)
    module: list[int | None] = list(start)
    analyzer.analyze(_text(module, newline))
    for operation in edits:
        module = _apply(module, operation)
        text = _text(module, newline)
        assert analyzer.analyze(text) == analyze_source(text, PATH, fixes=fixes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules, st.lists(edit, min_size=1, max_size=6))
def test_the_index_of_an_edit_equals_the_index_of_its_tree(start: list[int], edits: list[tuple[str, int, int]]) -> None:
    chunks = ChunkCache()
    module: list[int | None] = list(start)
    for operation in [None, *edits]:
        module = _apply(module, operation) if operation is not None else module
        parsed = parse_module(_text(module), chunks)
        assert _identities(parsed.index) == _identities(TreeIndex.of(parsed.tree))


def _identities(index: TreeIndex) -> tuple[object, ...]:
    """The index with nodes as their ids: equal when it points at the same nodes."""
    return ({key: id(node) for key, node in index.parents.items()}, index.string_lines,
            {name: list(map(id, calls)) for name, calls in index.calls.items()},
            {key: list(map(id, nodes)) for key, nodes in index.owned.items()}, list(map(id, index.definitions)))


CORPUS = [fixture.source for fixture in all_fixtures()]
line_edit = st.tuples(st.sampled_from(["delete", "duplicate", "indent", "import"]), st.integers(0, 10_000))


def _edit_line(source: str, operation: tuple[str, int]) -> str:
    lines = source.split("\n")
    kind, where = operation
    where %= len(lines)
    if kind == "delete":
        del lines[where]
    elif kind == "duplicate":
        lines.insert(where, lines[where])
    elif kind == "indent":
        lines[where] = "    " + lines[where]
    else:
        lines.insert(0, "from concurrent.futures import ThreadPoolExecutor as Thread")
    return "\n".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.lists(line_edit, min_size=1, max_size=4), st.booleans())
def test_line_edits_of_the_corpus_give_the_fresh_analysis(source: str, edits: list[tuple[str, int]], fixes: bool) -> None:
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes)
    analyzer.analyze(source)
    for operation in edits:
        source = _edit_line(source, operation)
        assert analyzer.analyze(source) == analyze_source(source, PATH, fixes=fixes)


def test_an_edit_inside_one_handler_reuses_the_others() -> None:
    handlers = [f"def handler_{n}(event, context):\n    worker = start(event)\n    return {n}" for n in range(5)]
    text = "\n\n".join([SNIPPETS[0], SNIPPETS[7], *handlers]) + "\n"
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    analyzer.analyze(text)
    edited = text.replace("return 3", "return 33")
    assert analyzer.analyze(edited) == analyze_source(edited, PATH, fixes=False)
    assert analyzer.reused == 4


FIVE_HANDLERS = "\n\n".join([SNIPPETS[0], SNIPPETS[7], *(f"def handler_{n}(event, context):\n    worker = start(event)\n"
                                                         f"    return {n}" for n in range(5))]) + "\n"  # 7 chunks


def test_an_edit_inside_one_handler_parses_only_its_chunk_again() -> None:
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    analyzer.analyze(FIVE_HANDLERS)
    edited = FIVE_HANDLERS.replace("return 3", "return 33")
    assert analyzer.analyze(edited) == analyze_source(edited, PATH, fixes=False)
    assert analyzer.kept_chunks == 6


def test_a_syntax_error_being_typed_parses_only_its_chunk_again() -> None:
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    analyzer.analyze(FIVE_HANDLERS)
    edited = FIVE_HANDLERS.replace("return 3", "return (3")
    report = analyzer.analyze(edited)
    assert report == analyze_source(edited, PATH, fixes=False) and report.problems
    assert analyzer.kept_chunks == 6


def test_a_string_holding_code_at_column_zero_is_parsed_as_a_whole() -> None:
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    text = 'DOC = """\ndef lambda_handler(event, context):\n    threading.Thread(target=print).start()\n"""\n' + FIVE_HANDLERS
    analyzer.analyze(text)
    edited = text.replace("return 3", "return 33")
    assert analyzer.analyze(edited) == analyze_source(edited, PATH, fixes=False)


def test_lines_inserted_above_a_chunk_parse_it_again() -> None:  # chunks are kept by line and text
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    analyzer.analyze(FIVE_HANDLERS)
    edited = FIVE_HANDLERS.replace("return 3", "return 3\n")
    assert analyzer.analyze(edited) == analyze_source(edited, PATH, fixes=False)
    assert analyzer.kept_chunks == 5  # the import, the helper and handlers 0 to 2


def test_an_edit_to_a_helper_reanalyses_its_callers() -> None:
    text = "\n\n".join([SNIPPETS[0], SNIPPETS[12], SNIPPETS[14], SNIPPETS[9], SNIPPETS[7]]) + "\n"  # helper last
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    analyzer.analyze(text)
    edited = text.replace(SNIPPETS[7], SNIPPETS[8])
    report = analyzer.analyze(edited)
    assert report == analyze_source(edited, PATH, fixes=False)
    assert analyzer.reused == 1  # `handler` calls `submit`, not `start`


def test_an_edit_that_keeps_every_entry_gives_fixes_made_on_the_new_text() -> None:
    text = (
        "\nimport asyncio\n\n\nasync def main(orders):\n"
        "    tasks = [asyncio.create_task(asyncio.sleep(order)) for order in orders]\n"
        "    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)\n"
        "    return len(done)\n\n\n"
        "def handler(event, context):\n    return asyncio.run(main(event))\n"
    )
    analyzer = IncrementalAnalyzer(PATH, Settings())
    analyzer.analyze(text)
    edited = "    " + text  # a blank line made of spaces: no statement moves
    fresh = analyze_source(edited, PATH)
    assert analyzer.analyze(edited) == fresh
    assert [fix.title for fix in fresh.findings[0].fixes][:2] == [
        "Await the task before each exit it outlives", "Await the task in a `finally` block"]


def test_an_edit_inside_one_handler_keeps_the_import_time_analysis() -> None:
    text = "\n\n".join([SNIPPETS[0], SNIPPETS[30], *(f"def handler_{n}(event, context):\n    return {n}" for n in range(3))]) + "\n"
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    analyzer.analyze(text)
    edited = text.replace("return 1", "return 11")
    with patch.object(_Module, "_import_time", autospec=True, side_effect=_Module._import_time) as import_time:
        report = analyzer.analyze(edited)
    assert report == analyze_source(edited, PATH, fixes=False) and [f.code for f in report.findings] == ["EL301"]
    assert import_time.call_count == 0


def test_an_edit_of_a_helper_called_at_import_time_analyses_import_time_again() -> None:
    text = "\n\n".join([SNIPPETS[0], SNIPPETS[10], SNIPPETS[40]]) + "\n"  # settle joins
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    assert analyzer.analyze(text).findings == []
    edited = text.replace(SNIPPETS[10], SNIPPETS[11])  # settle no longer joins; no line moves
    report = analyzer.analyze(edited)
    assert report == analyze_source(edited, PATH, fixes=False) and report.findings


def test_what_is_computed_from_a_kept_node_is_computed_once() -> None:
    chunks = ChunkCache()
    seen: list[str] = []

    def name_of(statement: ast.stmt) -> str:
        seen.append(ast.unparse(statement).split("(")[0])
        return seen[-1]

    for text in (FIVE_HANDLERS, FIVE_HANDLERS.replace("return 3", "return 33")):
        parsed = parse_module(text, chunks)
        for statement in parsed.tree.body:
            parsed.memo.of(name_of, statement)
    assert len(seen) == 7 + 1  # every statement once, then only the edited handler


def test_a_definition_added_or_removed_below_a_kept_handler_reanalyses_the_handler_naming_it() -> None:
    # The handler's chunk is kept throughout: only the definitions of a name it mentions change.
    without = "\n\n".join([SNIPPETS[0], SNIPPETS[12]]) + "\n"
    with_helper = "\n\n".join([SNIPPETS[0], SNIPPETS[12], SNIPPETS[7]]) + "\n"  # `start` now starts a thread
    analyzer = IncrementalAnalyzer(PATH, Settings(), fixes=False)
    reports = [analyzer.analyze(text) for text in (without, with_helper, without)]
    assert reports == [analyze_source(text, PATH, fixes=False) for text in (without, with_helper, without)]
    assert [bool(report.findings) for report in reports] == [False, True, False]
