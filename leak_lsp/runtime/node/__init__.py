"""How ``leak-lsp reproduce`` starts the Node.js runner (``runner.mjs``) for a JavaScript handler.

The runner speaks the same pipe protocol as the Python child, so the session, the freezer and the
report are shared; only the command line and the environment differ. Node itself is the user's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

RUNNER = Path(__file__).with_name("runner.mjs")
SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"})
TYPESCRIPT = frozenset({".ts", ".mts", ".cts"})
DEFAULT_HANDLER = "handler"
# Strictest first: nodejs24.x (RIC v4) refuses callback handlers and never waits for an empty loop.
RUNTIMES = ("nodejs24.x", "nodejs22.x", "nodejs20.x", "nodejs18.x", "gcf-http", "gcf-event", "gcf-cloudevent",
            "azure-v4", "azure-v3")
DEFAULT_RUNTIME = RUNTIMES[0]
STRIPS_TYPES_BY_DEFAULT = (23, 6)  # Node runs .ts files as they are from this version on
STRIPS_TYPES_WITH_FLAG = (22, 6)  # ... and from this one with --experimental-strip-types


class NodeUnavailable(Exception):
    """Node is missing, or too old for this file."""


def is_node_handler(path: Path) -> bool:
    return path.suffix in SUFFIXES


def freezes(runtime: str) -> bool:
    """Azure's language worker is never frozen: leaked work runs between invocations."""
    return not runtime.startswith("azure-")


def node_command(file: Path, handler: str, runtime: str, commands: int, messages: int) -> list[str]:
    """The runner's command line, or NodeUnavailable saying why Node cannot run this file."""
    node = shutil.which("node")
    if node is None:
        raise NodeUnavailable("node was not found on PATH; leak-lsp reproduce runs JavaScript handlers with the "
                              "user's own Node.js (18 or later)")
    flags = _typescript_flags(node) if file.suffix in TYPESCRIPT else []
    return [node, *flags, str(RUNNER), "--file", str(file), "--handler", handler, "--runtime", runtime,
            "--commands", str(commands), "--messages", str(messages)]


def _typescript_flags(node: str) -> list[str]:
    version = node_version(node)
    if version >= STRIPS_TYPES_BY_DEFAULT:
        return []
    if version >= STRIPS_TYPES_WITH_FLAG:
        return ["--experimental-strip-types", "--no-warnings"]
    shown = ".".join(map(str, version))
    raise NodeUnavailable(f"node {shown} cannot run TypeScript; compile the handler to JavaScript and reproduce "
                          "that file, or use Node 22.6 or later (type stripping)")


def node_version(node: str) -> tuple[int, ...]:
    output = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout
    found = re.match(r"v(\d+)\.(\d+)", output.strip())
    if found is None:
        raise NodeUnavailable(f"{node} --version did not print a version: {output.strip()!r}")
    return int(found[1]), int(found[2])


def node_environment(file: Path, runtime: str, timeout: float) -> dict[str, str]:
    """What the Lambda runtime sets (Azure and Cloud Functions handlers ignore it)."""
    name = file.name.split(".")[0]
    return os.environ | {
        "AWS_LAMBDA_FUNCTION_NAME": name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": f"{timeout:g}", "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
    }
