"""An install without the tree-sitter wheels (the VS Code bundle on another platform) still
checks Python, and says what JavaScript and TypeScript files need instead of crashing."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
sys.modules["tree_sitter"] = None  # as if the wheel were not installed
from leak_lsp.analysis import analyze_source
python = analyze_source("import threading\\ndef lambda_handler(event, context):\\n    threading.Thread(target=print).start()\\n", "app.py")
javascript = analyze_source("export const handler = async () => { setTimeout(() => {}, 10); };\\n", "app.mjs")
print(json.dumps({"python": [f.code for f in python.findings], "javascript": [p.message for p in javascript.problems]}))
"""


def test_python_is_checked_and_javascript_names_the_missing_parser() -> None:
    completed = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(completed.stdout)
    assert result["python"] == ["EL101"]
    [problem] = result["javascript"]
    assert "tree-sitter" in problem and "tree_sitter is missing" in problem
