"""AWS SAM and CloudFormation templates: ``AWS::Serverless::Function`` and ``AWS::Lambda::Function``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from leak_lsp.project.claims import Claim, lambda_handler_claim, runtime_is_python
from leak_lsp.project.located import Located, mapping_of

_ARCHIVE_SUFFIXES = (".zip", ".jar")


def template_claims(origin: Path, template: Any) -> list[Claim]:
    """The Python functions a template deploys from local code.

    Functions whose handler or code location is computed (``!Ref``, ``!Sub``...), lives
    in S3, is inline or is an image are skipped: there is no local module to point at.
    """
    resources = mapping_of(mapping_of(template).get("Resources"))
    defaults = mapping_of(mapping_of(mapping_of(template).get("Globals")).get("Function"))
    claims = []
    for logical_id, resource in resources.items():
        resource = mapping_of(resource)
        properties = mapping_of(resource.get("Properties"))
        if resource.get("Type") == "AWS::Serverless::Function":
            claim = _serverless_function(origin, logical_id, {**defaults, **properties})
        elif resource.get("Type") == "AWS::Lambda::Function":
            claim = _lambda_function(origin, logical_id, properties)
        else:
            claim = None
        if claim is not None:
            claims.append(claim)
    return claims


def template_layers(origin: Path, template: Any) -> list[Path]:
    """The local folders a template's layers are built from (``ContentUri``, ``Content``)."""
    folders = []
    for resource in mapping_of(mapping_of(template).get("Resources")).values():
        resource = mapping_of(resource)
        properties = mapping_of(resource.get("Properties"))
        location = {"AWS::Serverless::LayerVersion": properties.get("ContentUri"),
                    "AWS::Lambda::LayerVersion": properties.get("Content")}.get(str(resource.get("Type")))
        folder = _local_code_dir(origin, location)
        if folder is not None:
            folders.append(folder)
    return folders


def _serverless_function(origin: Path, logical_id: str, properties: Mapping[str, Any]) -> Claim | None:
    if properties.get("PackageType") == "Image" or "InlineCode" in properties:
        return None
    code_dir = _local_code_dir(origin, properties.get("CodeUri", ""))
    return _claim(origin, logical_id, properties, code_dir)


def _lambda_function(origin: Path, logical_id: str, properties: Mapping[str, Any]) -> Claim | None:
    code = properties.get("Code")
    code_dir = _local_code_dir(origin, code) if isinstance(code, str) else None
    return _claim(origin, logical_id, properties, code_dir)


def _claim(origin: Path, logical_id: str, properties: Mapping[str, Any], code_dir: Path | None) -> Claim | None:
    handler = properties.get("Handler")
    python = runtime_is_python(properties.get("Runtime"))
    if code_dir is None or not isinstance(handler, Located) or python is False:
        return None
    return lambda_handler_claim(handler, origin=origin, platform="aws-lambda", name=logical_id, code_dir=code_dir, python=python)


def _local_code_dir(origin: Path, location: object) -> Path | None:
    """The folder a local ``CodeUri``/``Code`` names, relative to the template; ``None``
    for S3 locations, archives and computed values."""
    if not isinstance(location, str) or "://" in location or location.lower().endswith(_ARCHIVE_SUFFIXES):
        return None
    return origin.parent / location
