"""``check`` keeps the cyclic garbage collector off while it checks a file, and turns it back on after."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from leak_lsp.analysis import analyze_source
from leak_lsp.analysis.config import Settings
from leak_lsp.cli.runner import Task, check_one
from tests.cli.conftest import LEAKING_HANDLER, write

# Enough functions that analysing them allocates well past the collector's thresholds.
MODULE = LEAKING_HANDLER + "".join(f"\n\ndef helper_{n}(items):\n    return [str(item) for item in items]\n"
                                   for n in range(300))


@contextmanager
def collections_started() -> Iterator[list[int]]:
    """The generations of the collections the interpreter starts meanwhile (its own hook, ``gc.callbacks``)."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)


def test_the_collector_runs_again_and_again_during_a_plain_analysis_of_the_module() -> None:
    """What the check is compared with."""
    assert gc.isenabled()
    gc.collect()
    with collections_started() as started:
        analyze_source(MODULE, "handler.py", Settings())
    assert len(started) > 1


def test_a_file_is_checked_without_collections_and_the_collector_is_back_on_after(tmp_path: Path) -> None:
    path = write(tmp_path, "handler.py", MODULE)
    gc.collect()
    with collections_started() as started:
        result = check_one(Task(str(path), Settings()))
    assert len(started) <= 1  # the first pass after the collector is back on, collecting what the check left
    assert gc.isenabled()
    assert [finding.code for finding in result.report.findings] == ["EL101"]
