"""Entry points named by deployment files: SAM/CloudFormation templates, Serverless
Framework services, CDK apps in Python, Terraform and Azure ``function.json``.

Deployment files are read as data (YAML, JSON, HCL, Python ``ast``); user code is never
imported or run. A handler that names a missing module or function becomes a
:class:`DeploymentProblem` located on the handler string, for the editor to show in the
deployment file.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from leak_lsp.analysis.model import Span
from leak_lsp.analysis.text import decode_source
from leak_lsp.project import azure_functions, cdk, cloudformation, serverless_framework, terraform
from leak_lsp.project.claims import Claim, ModuleNames
from leak_lsp.project.files import CDK_APP_MARKER, SKIPPED_FOLDERS, SOURCE_SUFFIX, deployment_format, read_bytes
from leak_lsp.project.located import DocumentError, read_json, read_yaml

_LARGEST_FILE = 4_000_000  # bytes; deployment files are small, generated bundles are not


@dataclass(frozen=True)
class DeployedHandler:
    module: Path  # absolute, resolved path of the Python file the platform imports
    function: str  # function name inside it
    origin: Path  # the deployment file that names it
    span: Span  # the handler string in the deployment file
    platform: str  # "aws-lambda" | "azure-functions"
    description: str  # "template.yaml line 12 (OrdersFunction)"
    code_dir: Path | None = None  # the folder the platform packages as the function's top level (``CodeUri``)


@dataclass(frozen=True)
class DeploymentProblem:
    origin: Path
    span: Span
    message: str


def find_deployment_files(root: Path) -> list[Path]:
    """Deployment files under ``root``, sorted; build output, dependencies, virtual
    environments and hidden folders are skipped."""
    return [path for path, _ in _deployment_files(root)]


TextReader = Callable[[Path], "str | None"]


def scan_deployments(root: Path, read_text: TextReader | None = None) -> tuple[list[DeployedHandler], list[DeploymentProblem]]:
    """The entry points that the deployment files under ``root`` name, and the problems
    with the ones that point nowhere.

    ``read_text`` reads deployment files and the modules they name as an editor has
    them (unsaved changes count); the disk by default. Which files are deployment files
    is still told from the disk (names, and a CDK app's saved imports).
    """
    root = root.resolve()
    read = _read_text if read_text is None else _size_checked(read_text)
    claims: list[Claim] = []
    problems: list[DeploymentProblem] = []
    terraform_folders: dict[Path, dict[Path, str]] = defaultdict(dict)
    readers = _file_readers(root)
    for path, file_format in _deployment_files(root):
        text = read(path)
        if text is None:
            continue
        if file_format == _TERRAFORM:
            terraform_folders[path.parent][path] = text
            continue
        try:
            claims.extend(readers[file_format](path, text))
        except DocumentError as error:
            problems.append(DeploymentProblem(path, error.span, str(error)))
    for files in terraform_folders.values():
        claims.extend(terraform.folder_claims(files))
    handlers: list[DeployedHandler] = []
    names = ModuleNames(read)
    for claim in claims:
        checked = _check(claim, names, root)
        if isinstance(checked, DeployedHandler):
            handlers.append(checked)
        elif checked is not None:
            problems.append(checked)
    return handlers, problems


def scan_layer_folders(root: Path, read_text: TextReader | None = None) -> list[Path]:
    """The ``python/`` folders of the Lambda layers the deployment files under ``root`` build from
    local folders: the runtime puts them on ``sys.path``, so handlers import their modules flat."""
    root = root.resolve()
    read = _read_text if read_text is None else _size_checked(read_text)
    contents: list[Path] = []
    for path, file_format in _deployment_files(root):
        text = read(path) if file_format in {"cloudformation", "serverless"} else None
        if text is None:
            continue
        try:
            document = read_json(text) if path.suffix == ".json" else read_yaml(text)
        except DocumentError:
            continue
        layers = cloudformation.template_layers if file_format == "cloudformation" else serverless_framework.service_layers
        contents.extend(layers(path, document))
    return sorted({folder.resolve() / "python" for folder in contents if (folder / "python").is_dir()})


def is_deployment_file(path: Path) -> bool:
    """Whether a file can name entry points: by its name, or a Python file whose saved
    text imports ``aws_cdk``."""
    return _format_of(path) is not None


def handlers_for(module: Path, deployed: Iterable[DeployedHandler]) -> list[DeployedHandler]:
    """The deployed entry points that live in ``module``."""
    target = module.resolve()
    return [handler for handler in deployed if handler.module == target]


def _deployment_files(root: Path) -> list[tuple[Path, str]]:
    """Each deployment file under ``root`` with its format, sorted by path."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS and not name.startswith(".")]
        for name in names:
            path = Path(folder) / name
            file_format = _format_of(path)
            if file_format is not None:
                found.append((path, file_format))
    return sorted(found)


Reader = Callable[[Path, str], list[Claim]]
_TERRAFORM = "terraform"


def _file_readers(root: Path) -> dict[str, Reader]:
    """The readers of the formats read one file at a time (Terraform is read per folder)."""
    return {
        "cloudformation": _cloudformation_template,
        "serverless": lambda path, text: serverless_framework.service_claims(path, read_yaml(text)),
        "azure": lambda path, text: azure_functions.function_claims(path, read_json(text)),
        "cdk": lambda path, text: cdk.app_claims(path, text, _cdk_app_folder(path, root)),
    }


def _cloudformation_template(path: Path, text: str) -> list[Claim]:
    try:
        template = read_json(text) if path.suffix == ".json" else read_yaml(text)
    except DocumentError:
        if "AWS::" not in text:  # some other tool's template.yaml: not ours to judge
            return []
        raise
    return cloudformation.template_claims(path, template)


def _format_of(path: Path) -> str | None:
    named = deployment_format(path)
    if named is not None:
        return named
    if path.name.endswith(SOURCE_SUFFIX) and _imports_cdk(path):
        return "cdk"
    return None


class _CdkImports:
    """Whether Python files' saved texts import ``aws_cdk``, read again only when a file's size, inode or
    modification time changed: the server asks at every keystroke in a file and at every rescan of the
    project's deployment files, which would otherwise read every Python file of the project each time.
    A file modified within the last ``RACY_SECONDS`` is read every time (a second write in the same tick
    of the file system's clock leaves the time as it was)."""

    KEPT = 4096
    RACY_SECONDS = 0.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[Path, tuple[tuple[int, int, int], bool]] = {}  # the oldest first

    def __call__(self, path: Path) -> bool:
        try:
            info = path.stat()
        except (OSError, ValueError):
            return False
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            known = self._found.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        data = read_bytes(path, _LARGEST_FILE)
        found = data is not None and cdk.IMPORTS_CDK.search(data) is not None
        if time.time_ns() - info.st_mtime_ns > self.RACY_SECONDS * 1e9:
            with self._lock:
                self._found.pop(path, None)
                self._found[path] = (stamp, found)
                while len(self._found) > self.KEPT:
                    del self._found[next(iter(self._found))]
        return found


_imports_cdk = _CdkImports()


def _size_checked(read_text: TextReader) -> TextReader:
    """``read_text``, but never for a file too large to be a deployment file."""

    def read(path: Path) -> str | None:
        try:
            too_large = path.stat().st_size > _LARGEST_FILE
        except OSError:
            too_large = False  # not on disk: only an editor has it
        return None if too_large else read_text(path)

    return read


def _read_text(path: Path) -> str | None:
    data = read_bytes(path, _LARGEST_FILE)
    if data is None:
        return None
    try:
        return decode_source(data) if path.suffix == ".py" else data.decode("utf-8-sig")
    except (UnicodeDecodeError, SyntaxError):
        return None


def _cdk_app_folder(path: Path, root: Path) -> Path:
    """The folder of the nearest ``cdk.json`` between the file and ``root``, where
    ``cdk synth`` runs; the file's own folder when there is none."""
    for folder in path.parents:
        if (folder / CDK_APP_MARKER).is_file():
            return folder
        if folder == root:
            break
    return path.parent


def _check(claim: Claim, names: ModuleNames, root: Path) -> DeployedHandler | DeploymentProblem | None:
    """The claim checked against the code; a claim of unknown runtime that names no
    Python module is dropped silently (it is probably a Node or Java function)."""
    if claim.modules is None:
        message = f"{claim.label}: expected `module.function`"
        return DeploymentProblem(claim.origin, claim.module_span, message) if claim.python else None
    found = [candidate for candidate in claim.modules if (claim.code_dir / candidate).is_file()]
    if not found:
        message = f"{claim.label}: no module {claim.modules[0]} under {_folder_shown(claim.code_dir, claim.origin)}"
        return DeploymentProblem(claim.origin, claim.module_span, message) if claim.python else None
    module = (claim.code_dir / found[0]).resolve()
    if not names.defines(module, claim.function):
        message = f"{claim.label}: {found[0]} has no function `{claim.function}`"
        return DeploymentProblem(claim.origin, claim.function_span, message)
    description = f"{_relative(claim.origin, root)} line {claim.function_span.start.line + 1} ({claim.name})"
    return DeployedHandler(module, claim.function, claim.origin, claim.function_span, claim.platform, description,
                           claim.code_dir.resolve())


def _folder_shown(folder: Path, origin: Path) -> str:
    relative = Path(os.path.relpath(folder, origin.parent)).as_posix()
    return "./" if relative == "." else relative.rstrip("/") + "/"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name
