"""Terraform: ``aws_lambda_function`` resources and the community ``lambda`` module.

Terraform treats every ``.tf`` file of a folder as one module, so an
``aws_lambda_function`` may take its code from a ``data "archive_file"`` in a sibling
file; the claims are read per folder. Relative paths are taken from that folder
(``${path.module}`` is understood, other interpolations make a value non-literal).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from leak_lsp.project.claims import Claim, lambda_handler_claim, runtime_is_python
from leak_lsp.project.hcl import HclBlock, Value, read_blocks

_ARCHIVE_OUTPUT = re.compile(r"data\.archive_file\.([\w-]+)\.output_path")
_LAMBDA_MODULE_SOURCE = re.compile(r"terraform-aws-modules/lambda/aws|/modules?/lambda\b")


def folder_claims(files: Mapping[Path, str]) -> list[Claim]:
    """The Python Lambda functions declared by the ``.tf`` files of one folder."""
    blocks = {path: read_blocks(text) for path, text in files.items()}
    archives = {
        block.labels[1]: block
        for file_blocks in blocks.values()
        for block in file_blocks
        if block.type == "data" and block.labels[:1] == ["archive_file"] and len(block.labels) == 2
    }
    claims = []
    for origin, file_blocks in blocks.items():
        for block in file_blocks:
            claim = _claim(origin, block, archives)
            if claim is not None:
                claims.append(claim)
    return claims


def _claim(origin: Path, block: HclBlock, archives: Mapping[str, HclBlock]) -> Claim | None:
    if block.type == "resource" and block.labels[:1] == ["aws_lambda_function"] and len(block.labels) == 2:
        name = f"aws_lambda_function.{block.labels[1]}"
        code_dir = _archive_source(origin.parent, block.attributes.get("filename"), archives)
    elif block.type == "module" and len(block.labels) == 1 and _is_lambda_module(block):
        name = f"module.{block.labels[0]}"
        code_dir = _source_folder(origin.parent, block.attributes.get("source_path"))
    else:
        return None
    handler = block.attributes.get("handler")
    runtime = block.attributes.get("runtime")
    python = runtime_is_python(runtime.literal if runtime is not None else None)
    if code_dir is None or handler is None or handler.literal is None or python is False:
        return None
    return lambda_handler_claim(handler.literal, origin=origin, platform="aws-lambda", name=name, code_dir=code_dir, python=python)


def _is_lambda_module(block: HclBlock) -> bool:
    source = block.attributes.get("source")
    return source is not None and source.literal is not None and bool(_LAMBDA_MODULE_SOURCE.search(source.literal))


def _archive_source(folder: Path, filename: Value | None, archives: Mapping[str, HclBlock]) -> Path | None:
    """The folder zipped into ``filename = data.archive_file.<name>.output_path``; a literal
    ``filename`` names a zip whose sources are unknown."""
    reference = _ARCHIVE_OUTPUT.fullmatch(filename.source) if filename is not None else None
    archive = archives.get(reference.group(1)) if reference is not None else None
    if archive is None:
        return None
    return _source_folder(folder, archive.attributes.get("source_dir") or archive.attributes.get("source_file"))


def _source_folder(folder: Path, source: Value | None) -> Path | None:
    """A literal source path as a folder: a single ``.py`` source file stands for its folder."""
    if source is None or source.literal is None:
        return None
    relative = PurePosixPath(source.literal)
    return folder / (relative.parent if relative.suffix == ".py" else relative)
