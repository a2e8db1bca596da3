"""Restore the real-code corpus from fetched repository snapshots.

The manifests (``corpus/python.toml``, ``corpus/node.toml``) hold only pointers:
repository, commit and path.  This script writes each file with ``git show
COMMIT:PATH`` from the snapshot git directory under ``/work/.mirror/OWNER+NAME``
into a folder outside version control, keeping the repository layout
(``DEST/OWNER+NAME@COMMIT12/PATH``) so that cross-module imports still resolve.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = (ROOT / "corpus" / "python.toml", ROOT / "corpus" / "node.toml")
DEFAULT_MIRROR = Path("/work/.mirror")


@dataclass(frozen=True)
class Pointer:
    """One file to restore: where it lives and what else of its repo it needs."""

    repo: str
    commit: str
    path: str
    context: tuple[str, ...]

    @property
    def folder(self) -> str:
        """Where the repository's files go: one folder per repository and commit."""
        return f"{self.repo.replace('/', '+')}@{self.commit[:12]}"


def load_pointers(manifests: tuple[Path, ...] = MANIFESTS) -> list[Pointer]:
    """Every file named by the manifests, with its `context` helper files."""
    pointers = []
    for manifest in manifests:
        for entry in tomllib.loads(manifest.read_text(encoding="utf-8")).get("file", []):
            pointers.append(Pointer(entry["repo"], entry["commit"], entry["path"], tuple(entry.get("context", ()))))
    return pointers


def git_dir(mirror: Path, repo: str) -> Path | None:
    """The snapshot's git directory (bare `repo` or `repo/.git`), or None when not fetched."""
    base = mirror / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    return None


def show(git: Path, commit: str, path: str) -> bytes | None:
    """The file's bytes at the commit, or None when the snapshot lacks it."""
    result = subprocess.run(
        ["git", "--git-dir", str(git), "show", f"{commit}:{path}"],
        capture_output=True,
        check=False,
    )
    return result.stdout if result.returncode == 0 else None


def write(dest: Path, data: bytes) -> None:
    """Write atomically so a half-restored file never looks whole."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(dest)


def restore(into: Path, mirror: Path) -> tuple[int, set[str], list[str]]:
    """Restore every pointer; return (files written, repos to fetch, paths missing)."""
    written, unfetched, missing = 0, set(), []
    for pointer in load_pointers():
        git = git_dir(mirror, pointer.repo)
        if git is None:
            unfetched.add(pointer.repo)
            continue
        for path in (pointer.path, *pointer.context):
            data = show(git, pointer.commit, path)
            if data is None:
                missing.append(f"{pointer.repo}@{pointer.commit[:10]}:{path}")
                continue
            write(into / pointer.folder / path, data)
            written += 1
    return written, unfetched, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=ROOT / ".corpus", help="destination (default .corpus/)")
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="fetched snapshots (default /work/.mirror)")
    args = parser.parse_args(argv)
    written, unfetched, missing = restore(args.into, args.mirror)
    print(f"restored {written} files into {args.into}")
    if unfetched:
        print("fetch these repositories first (search tool `fetch github:OWNER/NAME`), then run again:")
        for repo in sorted(unfetched):
            print(f"  github:{repo}")
    for item in missing:
        print(f"missing in its snapshot: {item}", file=sys.stderr)
    return 1 if unfetched or missing else 0


if __name__ == "__main__":
    sys.exit(main())
