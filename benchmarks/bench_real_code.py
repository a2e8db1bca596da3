"""Recall and false alarms of leak-lsp on the real-code corpus, beside baselines run in the same pass.

The corpus is pointers only (``corpus/python.toml``, ``corpus/node.toml``); restore the files
first with ``python scripts/restore_corpus.py`` (default ``.corpus/``). Run:
``python benchmarks/bench_real_code.py [--corpus DIR] [--no-eslint]``.

How each file is checked. The restored files keep their repository layout
(``DIR/OWNER+NAME@COMMIT12/PATH``, with the ``context`` helper files the manifest names). For each
manifest entry, the restored tree of its repository is copied into a fresh temporary folder and
``leak-lsp check --format json PATH`` runs there as a subprocess, from the copy's root: relative
and flat imports resolve against the repository layout, and nothing outside the copy (no
configuration of this project, no other repository) is seen.

What counts.
- A *finding* is a reported item with a rule code (a parse problem is not one; files leak-lsp
  could not parse are counted apart).
- A leak is *found* when at least one warning- or error-level finding starts on a labelled
  scheduling line (``lines``) or inside one of the labelled function ranges (``spans``: the
  function holding the scheduling call and the entry point whose exit it outlives). Findings
  of lower severity do not count.
- A *false alarm* is any warning- or error-level finding in a file labelled ``safe`` or ``none``.
- The grep baseline flags a line containing ``.start(``, ``create_task(`` or ``setTimeout(``; it
  is matched exactly like a finding. ruff runs RUF006 (Python); typescript-eslint runs
  ``no-floating-promises`` and ``no-misused-promises`` with type information (Node), installed
  with npm into a cache folder on first use; the repositories' own dependencies are not installed,
  so values from their packages are typed ``any`` (as in a fresh checkout before ``npm install``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = {"python": ROOT / "corpus" / "python.toml", "node": ROOT / "corpus" / "node.toml"}
GREP = re.compile(r"\.start\(|create_task\(|setTimeout\(")
ESLINT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "leak-lsp-bench" / "eslint"
ESLINT_PACKAGES = ("eslint@9", "typescript@5", "@typescript-eslint/parser@8", "@typescript-eslint/eslint-plugin@8")
COUNTED = {"error", "warning"}
ESLINT_RULES = {"@typescript-eslint/no-floating-promises", "@typescript-eslint/no-misused-promises"}
NOT_ANALYSED: set[str] = set()  # files leak-lsp could not parse (folder/path inside the copy)


@dataclass(frozen=True)
class Entry:
    """One labelled file of the manifest."""

    repo: str
    commit: str
    path: str
    language: str
    label: str
    family: str
    lines: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    context: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"{self.repo.replace('/', '+')}@{self.commit[:12]}"

    def where(self) -> str:
        return f"{self.repo}@{self.commit[:7]}:{self.path}"

    def hits(self, rows: Iterable[int]) -> bool:
        """Whether any reported row lands on a labelled line or inside a labelled span."""
        return any(row in self.lines or any(a <= row <= b for a, b in self.spans) for row in rows)


@dataclass
class Tally:
    """Leaks found and safe files flagged by one tool, with the details to print."""

    found: int = 0
    leaks: int = 0
    alarms: int = 0
    quiet_files: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, entry: Entry, rows: list[int]) -> None:
        if entry.label == "leak":
            self.leaks += 1
            if entry.hits(rows):
                self.found += 1
            else:
                self.misses.append(f"{entry.where()}:{','.join(map(str, entry.lines))} [{entry.family}]")
        else:
            self.quiet_files += 1
            if rows:
                self.alarms += 1
                self.false_alarms.append(f"{entry.where()}:{','.join(map(str, rows))} [{entry.label}; {entry.family}]")

    def summary(self) -> str:
        recall = self.found / self.leaks if self.leaks else 0.0
        rate = self.alarms / self.quiet_files if self.quiet_files else 0.0
        return (
            f"recall {self.found}/{self.leaks} = {recall:.0%}, "
            f"false alarms {self.alarms}/{self.quiet_files} = {rate:.0%}"
        )


def load(language: str) -> list[Entry]:
    data = tomllib.loads(MANIFESTS[language].read_text(encoding="utf-8"))
    return [
        Entry(
            e["repo"],
            e["commit"],
            e["path"],
            e["language"],
            e["label"],
            e["family"],
            tuple(e.get("lines", ())),
            tuple(tuple(s) for s in e.get("spans", ())),
            tuple(e.get("context", ())),
        )
        for e in data.get("file", [])
    ]


def copy_repo(corpus: Path, entry: Entry, into: Path) -> Path:
    """Copy the restored tree of the entry's repository; return the file inside the copy."""
    shutil.copytree(corpus / entry.folder, into / entry.folder)
    return into / entry.folder / entry.path


def leak_lsp_rows(target: Path, root: Path) -> list[int]:
    """Rows of warning/error findings `leak-lsp check` reports for the file.

    Only items with a rule code count: a parse problem (``code`` null, "kept code from being
    analysed") is not a finding; such files are tallied apart as not analysed.
    """
    result = subprocess.run(
        [sys.executable, "-m", "leak_lsp", "check", "--format", "json", "--jobs", "1", str(target)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        findings = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return []
    mine = [f for f in findings if f["filename"] == str(target)]
    if any(f.get("code") is None for f in mine):
        NOT_ANALYSED.add(str(target.relative_to(root)))
    return sorted({f["location"]["row"] for f in mine if f.get("code") and f.get("severity") in COUNTED})


def grep_rows(target: Path, _root: Path) -> list[int]:
    text = target.read_text(encoding="utf-8", errors="replace")
    return [n for n, line in enumerate(text.splitlines(), 1) if GREP.search(line)]


def ruff_rows(target: Path, root: Path) -> list[int]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            "RUF006",
            "--output-format",
            "json",
            str(target),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return sorted({f["location"]["row"] for f in json.loads(result.stdout or "[]")})


def ensure_eslint() -> str | None:
    """Install eslint + typescript-eslint into the cache folder; return None when ready, else why not."""
    if (ESLINT_CACHE / "node_modules" / ".bin" / "eslint").exists():
        return None
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return "node/npm not found on PATH"
    ESLINT_CACHE.mkdir(parents=True, exist_ok=True)
    (ESLINT_CACHE / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    result = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", *ESLINT_PACKAGES],
        cwd=ESLINT_CACHE,
        capture_output=True,
        text=True,
        check=False,
    )
    return None if result.returncode == 0 else f"npm install failed: {result.stderr.strip()[:300]}"


ESLINT_CONFIG = """import parser from "{modules}/@typescript-eslint/parser/dist/index.js";
import plugin from "{modules}/@typescript-eslint/eslint-plugin/dist/index.js";
export default [{{
  files: ["**/*.{{js,mjs,cjs,ts,mts,cts,jsx,tsx}}"],
  languageOptions: {{ parser, parserOptions: {{ project: "./tsconfig.bench.json", tsconfigRootDir: import.meta.dirname }} }},
  plugins: {{ "@typescript-eslint": plugin }},
  rules: {{ "@typescript-eslint/no-floating-promises": "error", "@typescript-eslint/no-misused-promises": "error" }},
}}];
"""
TSCONFIG = {
    "compilerOptions": {
        "allowJs": True,
        "checkJs": True,
        "noEmit": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "skipLibCheck": True,
        "jsx": "react",
    }
}


def eslint_rows(target: Path, root: Path) -> list[int]:
    repo_root = root / target.relative_to(root).parts[0]
    (repo_root / "eslint.config.mjs").write_text(
        ESLINT_CONFIG.format(modules=(ESLINT_CACHE / "node_modules").as_posix()), encoding="utf-8"
    )
    tsconfig = dict(TSCONFIG, files=[str(target.relative_to(repo_root))])
    (repo_root / "tsconfig.bench.json").write_text(json.dumps(tsconfig), encoding="utf-8")
    result = subprocess.run(
        [str(ESLINT_CACHE / "node_modules" / ".bin" / "eslint"), "--no-ignore", "--format", "json", str(target)],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        reports = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        return []
    return sorted({m["line"] for r in reports for m in r["messages"] if m.get("ruleId") in ESLINT_RULES})


Tool = Callable[[Path, Path], list[int]]


def measure(entries: list[Entry], corpus: Path, tools: dict[str, Tool]) -> tuple[dict[str, Tally], list[str]]:
    tallies = {name: Tally() for name in tools}
    absent = []
    for entry in entries:
        if not (corpus / entry.folder / entry.path).is_file():
            absent.append(entry.where())
            continue
        for name, tool in tools.items():
            with tempfile.TemporaryDirectory(prefix="leak-lsp-real-") as tmp:
                target = copy_repo(corpus, entry, Path(tmp))
                tallies[name].add(entry, tool(target, Path(tmp)))
    return tallies, absent


def report(
    language: str, entries: list[Entry], tallies: dict[str, Tally], absent: list[str], skipped: list[str], details: bool
) -> None:
    repos = len({e.repo for e in entries})
    labels = {label: sum(e.label == label for e in entries) for label in ("leak", "safe", "none")}
    print(f"\n== {language}: {len(entries)} files from {repos} repositories {labels}")
    for reason in skipped:
        print(f"   skipped: {reason}")
    for path in absent:
        print(f"   not restored (run scripts/restore_corpus.py): {path}")
    unparsed = sorted(NOT_ANALYSED)
    if unparsed:
        print(f"   leak-lsp could not analyse {len(unparsed)} file(s) (parse problem reported, no rule finding)")
        if language == "python":
            for path in unparsed:
                print(f"     - {path}")
    NOT_ANALYSED.clear()
    for name, tally in tallies.items():
        print(f"   {name:<24} {tally.summary()}")
    for name, tally in tallies.items():
        if name != "leak-lsp" and not details:
            continue
        print(f"   {name} misses ({len(tally.misses)}):")
        for line in tally.misses:
            print(f"     - {line}")
        print(f"   {name} false alarms ({len(tally.false_alarms)}):")
        for line in tally.false_alarms:
            print(f"     - {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / ".corpus", help="restored files (default .corpus/)")
    parser.add_argument("--language", choices=("python", "node"), action="append", help="only this language")
    parser.add_argument("--no-eslint", action="store_true", help="skip the typescript-eslint baseline")
    parser.add_argument("--details", action="store_true", help="list misses and false alarms of the baselines too")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"{args.corpus} does not exist: run `python scripts/restore_corpus.py --into {args.corpus}` first")
        return 1
    for language in args.language or ("python", "node"):
        entries = load(language)
        tools: dict[str, Tool] = {"leak-lsp": leak_lsp_rows, "grep .start/create_task(": grep_rows}
        skipped = []
        if language == "python":
            if (
                shutil.which("ruff")
                or subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode == 0
            ):
                tools["ruff RUF006"] = ruff_rows
            else:
                skipped.append("ruff is not installed (pip install ruff)")
        else:
            why = "--no-eslint given" if args.no_eslint else ensure_eslint()
            if why is None:
                tools["typescript-eslint"] = eslint_rows
            else:
                skipped.append(f"typescript-eslint: {why}")
        tallies, absent = measure(entries, args.corpus, tools)
        report(language, entries, tallies, absent, skipped, args.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
