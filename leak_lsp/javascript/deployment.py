"""Node entry points named by deployment files, and the Node runtime version they name.

The project's deployment scan (:mod:`leak_lsp.project.deployment`) keeps Python claims
only, so the Node functions of SAM/CloudFormation templates and ``serverless.yml`` are
read here, with the project's own file finder and located YAML/JSON readers, and so are
the ``lambda.Function`` constructs of TypeScript/JavaScript CDK apps. The runtime
version (``nodejs20.x``) selects the semantics; ``None`` means unknown, and the analysis
then assumes the strictest runtime.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leak_lsp.javascript.languages import SUFFIXES
from leak_lsp.project.files import CDK_APP_MARKER, SKIPPED_FOLDERS, read_bytes, resolved

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace

_NODE_RUNTIME = re.compile(r"nodejs(\d+)", re.IGNORECASE)
# A TypeScript/JavaScript CDK app: it imports the CDK's Lambda module; each ``new lambda.Function(this, id, {...})``
# names its code folder, handler and runtime in the object literal.
_IMPORTS_CDK = re.compile(rb"""from\s+['"](?:aws-cdk-lib(?:/aws-lambda)?|@aws-cdk/aws-lambda)['"]|require\(\s*['"](?:aws-cdk-lib|@aws-cdk/aws-lambda)""")
_CDK_FUNCTION = re.compile(r"new\s+(?:\w+\.)?Function\s*\(")
_CDK_HANDLER = re.compile(r"""\bhandler\s*:\s*['"`]([^'"`$]+)['"`]""")
_CDK_RUNTIME = re.compile(r"Runtime\.NODEJS_(\d+)_X")
_CDK_ASSET = re.compile(r"""Code\.fromAsset\(\s*(path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?['"`]([^'"`$]+)['"`]""")
_CDK_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs")
_LARGEST_APP = 1_000_000  # bytes: a CDK stack is small, a bundle is not


@dataclass(frozen=True)
class _NodeFunction:
    code_dir: Path
    handler: str  # "src/app.handler"
    runtime: str
    origin: Path  # the file naming it


@dataclass(frozen=True)
class Deployed:
    """What the deployment files say of one module."""

    names: list[str]  # its functions they name
    runtime: int | None  # their Node version (``None``: unknown, or they disagree)
    origins: list[str]  # the files that name them (a change there changes the analysis)


def deployed_handlers(path: str, workspace: Workspace | None) -> Deployed:
    """The functions the workspace's deployment files give ``path``, and their Node version."""
    if workspace is None or not workspace.find_deployments:
        return Deployed([], None, [])
    from leak_lsp.project.deployment import find_deployment_files

    module = resolved(path)
    names: list[str] = []
    versions: set[int | None] = set()
    origins: set[str] = set()
    for function in _declared_functions(workspace, find_deployment_files(workspace.root)):
        module_part, _, name = function.handler.rpartition(".")
        if module_part and any(resolved(function.code_dir / (module_part + suffix)) == module for suffix in SUFFIXES):
            names.append(name)
            match = _NODE_RUNTIME.match(function.runtime)
            versions.add(int(match.group(1)) if match else None)
            origins.add(str(resolved(function.origin)))
    return Deployed(names, versions.pop() if len(versions) == 1 else None, sorted(origins))


def _declared_functions(workspace: Workspace, deployment_files: list[Path]) -> Iterator[_NodeFunction]:
    """The Node functions of the deployment files and of the TypeScript/JavaScript CDK apps."""
    for origin in deployment_files:
        text = workspace.read_text(origin)
        if text is not None and "nodejs" in text:
            yield from _node_functions(origin, text)
    for origin in _cdk_apps(workspace.root):
        text = workspace.read_text(origin)
        if text is not None:
            yield from _cdk_functions(origin, text, workspace.root)


def _cdk_apps(root: Path) -> Iterator[Path]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS and not name.startswith(".")]
        for name in sorted(names):
            path = Path(folder) / name
            if name.endswith(_CDK_SUFFIXES) and not name.endswith(".d.ts"):
                data = read_bytes(path, _LARGEST_APP)
                if data is not None and b"Runtime.NODEJS_" in data and _IMPORTS_CDK.search(data):
                    yield path


def _cdk_functions(origin: Path, text: str, root: Path) -> Iterator[_NodeFunction]:
    """``new lambda.Function(this, 'id', { code: lambda.Code.fromAsset('lambdas'), handler: 'app.handler',
    runtime: lambda.Runtime.NODEJS_20_X })``: asset paths are relative to the app folder (``cdk.json``),
    or to the stack's own folder when joined to ``__dirname``."""
    for match in _CDK_FUNCTION.finditer(text):
        properties = _balanced(text, match.end())
        handler, runtime, asset = _CDK_HANDLER.search(properties), _CDK_RUNTIME.search(properties), \
            _CDK_ASSET.search(properties)
        if handler is None or runtime is None or asset is None:
            continue
        base = origin.parent if asset.group(1) else _cdk_app_folder(origin, root)
        yield _NodeFunction(base / asset.group(2), handler.group(1), f"nodejs{runtime.group(1)}.x", origin)


def _balanced(text: str, start: int) -> str:
    """The text of a call's arguments from ``start`` (just after its opening parenthesis) to its close."""
    depth = 1
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    return text[start:]


def _cdk_app_folder(path: Path, root: Path) -> Path:
    for folder in path.parents:
        if (folder / CDK_APP_MARKER).is_file():
            return folder
        if folder == root:
            break
    return root


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
            yield from _node_function(origin, origin.parent, mapping_of(function), "handler", "runtime", default)
        return
    defaults = mapping_of(mapping_of(document.get("Globals")).get("Function"))
    for resource in mapping_of(document.get("Resources")).values():
        resource = mapping_of(resource)
        if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            properties = {**defaults, **mapping_of(resource.get("Properties"))}
            code = properties.get("CodeUri", properties.get("Code", "."))
            if isinstance(code, str) and "://" not in code and not code.endswith((".zip", ".jar")):
                yield from _node_function(origin, origin.parent / code, properties, "Handler", "Runtime", None)


def _node_function(origin: Path, code_dir: Path, properties: Mapping[str, Any], handler_key: str, runtime_key: str,
                   default_runtime: object) -> Iterator[_NodeFunction]:
    handler, runtime = properties.get(handler_key), properties.get(runtime_key, default_runtime)
    if isinstance(handler, str) and "${" not in handler and isinstance(runtime, str) and runtime.startswith("nodejs"):
        yield _NodeFunction(code_dir, handler, runtime, origin)
