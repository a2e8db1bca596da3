"""``--unsafe-fixes`` applies the fixes that may change behaviour, which ``--fix`` alone leaves out."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.cli.conftest import RunCheck, write

# The only fix for a portal made without ``with`` is an unsafe one: the rest of the body moves into a block.
PORTAL_HANDLER = """\
from anyio.from_thread import start_blocking_portal


def lambda_handler(event, context):
    portal = start_blocking_portal()
    return portal.call(abs, -1)
"""


def test_fix_alone_leaves_an_unsafe_fix_out_and_says_how_to_apply_it(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", PORTAL_HANDLER)

    result = run_check("--fix", "handler.py")

    assert handler.read_text(encoding="utf-8") == PORTAL_HANDLER
    assert "1 more fixable with `--fix --unsafe-fixes`." in result.stdout
    assert result.returncode == 1


def test_unsafe_fixes_applies_it(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", PORTAL_HANDLER)

    result = run_check("--fix", "--unsafe-fixes", "handler.py")

    fixed = handler.read_text(encoding="utf-8")
    ast.parse(fixed)
    assert "    with start_blocking_portal() as portal:\n        return portal.call(abs, -1)\n" in fixed
    assert "Fixed 1 leak." in result.stdout
    assert result.returncode == 0


# EL902: a future whose ``result()`` is taken after a call that can raise. Its ``finally`` fix is unsafe
# (``result()`` re-raises the work's own exception there); a thread's ``join()`` is safe.
FUTURE_AFTER_A_PARSE = """\
import json
from concurrent.futures import ThreadPoolExecutor

POOL = ThreadPoolExecutor(2)


def lambda_handler(event, context):
    future = POOL.submit(abs, -1)
    body = json.loads(event["body"])
    return {"value": future.result(), "body": body}
"""

THREAD_AFTER_A_PARSE = """\
import json
import threading


def lambda_handler(event, context):
    worker = threading.Thread(target=print)
    worker.start()
    body = json.loads(event["body"])
    worker.join()
    return body
"""


def test_fix_applies_the_safe_exception_path_fix(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", THREAD_AFTER_A_PARSE)

    result = run_check("--fix", "handler.py")

    assert "    try:\n        body = json.loads(event[\"body\"])\n    finally:\n        worker.join()\n" \
           in handler.read_text(encoding="utf-8")
    assert "Fixed 1 leak." in result.stdout
    assert result.returncode == 0


def test_an_unsafe_exception_path_fix_needs_unsafe_fixes(tmp_path: Path, run_check: RunCheck) -> None:
    handler = write(tmp_path, "handler.py", FUTURE_AFTER_A_PARSE)

    left = run_check("--fix", "handler.py")
    assert handler.read_text(encoding="utf-8") == FUTURE_AFTER_A_PARSE
    assert "1 more fixable with `--fix --unsafe-fixes`." in left.stdout

    applied = run_check("--fix", "--unsafe-fixes", "handler.py")
    assert "    finally:\n        future.result()\n" in handler.read_text(encoding="utf-8")
    assert "Fixed 1 leak." in applied.stdout
    assert applied.returncode == 0
