"""A helper the engine skips as unable to matter has exactly the summary its full analysis gives,
and skipping changes no report."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from leak_lsp.analysis.config import Settings
from leak_lsp.analysis.engine import _Module
from leak_lsp.analysis.lifecycle import Summary, parameters, stored_parameters

from .fixture_corpus import all_fixtures

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Helpers close to the line: each does something to what it is given, or calls code that may.
ACTING_HELPERS = {
    "loop_test_settles": "def drain(queue):\n    while queue:\n        queue.pop()\n",
    "joins_a_parameter": "def finish(worker):\n    worker.join()\n",
    "joins_through_an_alias": "def finish(worker):\n    other = worker\n    other.join(5)\n",
    "separator_join": "def text(separator, parts):\n    return separator.join(parts)\n",
    "waits_for_a_future": "def wait(future):\n    return future.result()\n",
    "disarms_an_alarm": "import signal\n\n\ndef disarm():\n    signal.alarm(0)\n",
    "calls_a_helper": "def inner(worker):\n    worker.join()\n\n\ndef outer(worker):\n    inner(worker)\n",
    "awaits": "async def settle(task):\n    await task\n",
    "with_block": "def use(pool):\n    with pool:\n        pass\n",
    "submits_by_name": "def run(executor, items):\n    executor.submit(print, items)\n",
    "method_of_self": "class Tracker:\n    def stop(self):\n        self.close_all()\n\n    def close_all(self):\n        self.worker.join()\n",
    "runs_a_loop": "def drive(loop, coroutine):\n    loop.run_until_complete(coroutine)\n",
    "imports_what_it_calls": "def finish(worker):\n    from helpers import join_all\n    join_all(worker)\n",
    "iterates_as_completed": "def consume(futures):\n    for future in my_as_completed(futures):\n        pass\n",
}

# Helpers that only compute: tests of their parameters settle nothing on every path.
INERT_HELPERS = {
    "transforms_items": "def upper(items):\n    results = []\n    for item in items:\n        if item is None:\n"
                        "            continue\n        results.append(str(item).upper())\n    return results\n",
    "returns_early_on_a_test": "def first(worker, other):\n    if worker is None:\n        return other\n"
                               "    if not other:\n        raise ValueError(worker)\n    return worker\n",
    "tries": "def parse(text):\n    try:\n        return int(text)\n    except ValueError:\n        return None\n"
             "    finally:\n        print(text)\n",
}


def _functions(module: _Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in module.parsed.index.definitions if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _skipped_and_full(source: str) -> list[tuple[str, bool, Summary | None, Summary]]:
    """Each function: its name, whether the engine skips it, the summary its full analysis gives, and the one
    the shortcut gives (its parameters and the ones it keeps on ``self``)."""
    module = _Module(source, "helpers.py", Settings())
    skipped = {id(function): module._cannot_matter(function) for function in _functions(module)}
    module._cannot_matter = lambda function: False  # type: ignore[method-assign]
    return [(function.name, skipped[id(function)], module._summarize(function, function.name),
             Summary(params=parameters(function), stores=stored_parameters(function)))
            for function in _functions(module)]


def _sources() -> list[tuple[str, str]]:
    files = [(fixture.id, fixture.source) for fixture in all_fixtures()]
    files += [(path.name, path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.rglob("*.py"))]
    return files + [(name, source) for name, source in {**ACTING_HELPERS, **INERT_HELPERS}.items()]


@pytest.mark.parametrize("name", ACTING_HELPERS)
def test_a_helper_acting_on_work_is_analysed(name: str) -> None:
    assert not any(skipped for _, skipped, _, _ in _skipped_and_full(ACTING_HELPERS[name]))


@pytest.mark.parametrize("name", INERT_HELPERS)
def test_a_helper_that_only_computes_is_skipped(name: str) -> None:
    assert all(skipped for _, skipped, _, _ in _skipped_and_full(INERT_HELPERS[name]))


def test_every_skipped_function_of_the_corpus_has_an_empty_full_summary() -> None:
    skipped_count = 0
    for file, source in _sources():
        for function, skipped, full, shortcut in _skipped_and_full(source):
            if skipped and full is not None:
                skipped_count += 1
                assert full == shortcut, f"{file}: {function}"
    assert skipped_count >= 20  # the comparison covers real helpers, not none


@pytest.mark.parametrize("file", [name for name, _ in _sources()])
def test_skipping_changes_no_report(file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = dict(_sources())[file]
    with_shortcut = _Module(source, "handler.py", Settings()).report()
    monkeypatch.setattr(_Module, "_cannot_matter", lambda self, function: False)
    without = _Module(source, "handler.py", Settings()).report()
    assert with_shortcut.findings == without.findings and with_shortcut.problems == without.problems
