"""Node entry points named by deployment files, and the Node runtime version they name.

The project's deployment scan (:mod:`leak_lsp.project.deployment`) keeps Python claims
only, so the Node functions of SAM/CloudFormation templates and ``serverless.yml`` are
read here, with the project's own file finder and located YAML/JSON readers. The runtime
version (``nodejs20.x``) selects the semantics; ``None`` means unknown, and the analysis
then assumes the strictest runtime.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leak_lsp.javascript.languages import SUFFIXES
from leak_lsp.project.files import resolved

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace

_NODE_RUNTIME = re.compile(r"nodejs(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class _NodeFunction:
    code_dir: Path
    handler: str  # "src/app.handler"
    runtime: str


def deployed_handlers(path: str, workspace: Workspace | None) -> tuple[list[str], int | None]:
    """Function names the workspace's deployment files give ``path``, and their Node version
    (``None`` when unknown or when they disagree)."""
    if workspace is None or not workspace.find_deployments:
        return [], None
    from leak_lsp.project.deployment import find_deployment_files

    module = resolved(path)
    names: list[str] = []
    versions: set[int | None] = set()
    for origin in find_deployment_files(workspace.root):
        text = workspace.read_text(origin)
        if text is None or "nodejs" not in text:
            continue
        for function in _node_functions(origin, text):
            module_part, _, name = function.handler.rpartition(".")
            if module_part and any(resolved(function.code_dir / (module_part + suffix)) == module for suffix in SUFFIXES):
                names.append(name)
                match = _NODE_RUNTIME.match(function.runtime)
                versions.add(int(match.group(1)) if match else None)
    return names, (versions.pop() if len(versions) == 1 else None)


def _node_functions(origin: Path, text: str) -> Iterator[_NodeFunction]:
    from leak_lsp.project.located import DocumentError, mapping_of, read_json, read_yaml

    try:
        document = read_json(text) if origin.suffix == ".json" else read_yaml(text)
    except DocumentError:
        return
    document = mapping_of(document)
    if origin.name.startswith("serverless."):
        default = mapping_of(document.get("provider")).get("runtime")
        for function in mapping_of(document.get("functions")).values():
            yield from _node_function(origin.parent, mapping_of(function), "handler", "runtime", default)
        return
    defaults = mapping_of(mapping_of(document.get("Globals")).get("Function"))
    for resource in mapping_of(document.get("Resources")).values():
        resource = mapping_of(resource)
        if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            properties = {**defaults, **mapping_of(resource.get("Properties"))}
            code = properties.get("CodeUri", properties.get("Code", "."))
            if isinstance(code, str) and "://" not in code and not code.endswith((".zip", ".jar")):
                yield from _node_function(origin.parent / code, properties, "Handler", "Runtime", None)


def _node_function(code_dir: Path, properties: Mapping[str, Any], handler_key: str, runtime_key: str,
                   default_runtime: object) -> Iterator[_NodeFunction]:
    handler, runtime = properties.get(handler_key), properties.get(runtime_key, default_runtime)
    if isinstance(handler, str) and "${" not in handler and isinstance(runtime, str) and runtime.startswith("nodejs"):
        yield _NodeFunction(code_dir, handler, runtime)
