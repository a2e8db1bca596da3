"""Serverless Framework services: ``functions.<name>.handler`` in ``serverless.yml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leak_lsp.project.claims import Claim, lambda_handler_claim, runtime_is_python
from leak_lsp.project.located import Located, mapping_of


def service_claims(origin: Path, service: Any) -> list[Claim]:
    """The Python functions of a service; handlers are relative to the service folder.

    Handlers built from variables (``${self:custom.handler}``) are skipped, and so are
    functions whose runtime (their own, else ``provider.runtime``) is not Python.
    """
    service = mapping_of(service)
    default_runtime = mapping_of(service.get("provider")).get("runtime")
    claims = []
    for name, function in mapping_of(service.get("functions")).items():
        function = mapping_of(function)
        handler = function.get("handler")
        python = runtime_is_python(function.get("runtime", default_runtime))
        if not isinstance(handler, Located) or "${" in handler or python is False:
            continue
        claims.append(
            lambda_handler_claim(handler, origin=origin, platform="aws-lambda", name=name, code_dir=origin.parent, python=python)
        )
    return claims


def service_layers(origin: Path, service: Any) -> list[Path]:
    """The local folders of a service's layers (``layers.<name>.path``), relative to the service folder."""
    folders = []
    for layer in mapping_of(mapping_of(service).get("layers")).values():
        folder = mapping_of(layer).get("path")
        if isinstance(folder, str) and "${" not in folder:
            folders.append(origin.parent / folder)
    return folders
