"""Node entry points named by deployment files, and the Node runtime version they name.

The project's deployment scan (:mod:`leak_lsp.project.deployment`) checks claims against
Python modules only, so this reads the same claims (through the project's own readers)
and matches their ``module.function`` strings against JavaScript/TypeScript files.
The runtime version (``nodejs20.x``) selects the semantics; ``None`` means unknown, and
the analysis then assumes the strictest runtime.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from leak_lsp.javascript.syntax import SUFFIXES

if TYPE_CHECKING:
    from leak_lsp.project.workspace import Workspace

_NODE_RUNTIME = re.compile(r"nodejs(\d+)", re.IGNORECASE)


def deployed_handlers(path: str, workspace: Workspace | None) -> tuple[list[str], int | None]:
    """Function names the workspace's deployment files give ``path``, and their Node version."""
    if workspace is None or not workspace.find_deployments:
        return [], None
    from leak_lsp.project.deployment import find_deployment_files
    from leak_lsp.project.terraform import folder_claims

    module = Path(path).resolve()
    names: list[str] = []
    versions: set[int] = set()
    for origin in find_deployment_files(workspace.root):
        text = workspace.read_text(origin)
        if text is None or "handler" not in text.lower():
            continue
        try:
            claims = folder_claims({origin: text}) if origin.suffix == ".tf" else _claims(origin, text)
        except Exception:  # noqa: BLE001 - a broken deployment file is the project scan's problem to report
            continue
        for claim in claims:
            if claim.python or claim.modules is None:
                continue
            stem = claim.modules[0][: -len(".py")]
            if any((claim.code_dir / (stem + suffix)).resolve() == module for suffix in SUFFIXES):
                names.append(claim.function)
                versions.update(int(match) for match in _NODE_RUNTIME.findall(text))
    return names, (max(versions) if len(versions) == 1 else None) if versions else None


def _claims(origin: Path, text: str) -> list:  # type: ignore[type-arg]
    from leak_lsp.project import cloudformation, serverless_framework
    from leak_lsp.project.located import read_json, read_yaml

    if origin.name.startswith("serverless."):
        return serverless_framework.service_claims(origin, read_yaml(text))
    if origin.suffix in (".yaml", ".yml", ".json") and "AWS::" in text:
        template = read_json(text) if origin.suffix == ".json" else read_yaml(text)
        return cloudformation.template_claims(origin, template)
    return []
