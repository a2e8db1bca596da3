"""One run of ``leak-lsp check``: find the files, analyse (and fix) them, print the results.

Exit status, as ruff's: 0 when nothing was found, 1 when a leak or a file that could not
be analysed was found (after ``--fix``: when some remain; with ``--diff``: when a fix is
available), 2 on usage or configuration errors, including a path that does not exist.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from leak_lsp.analysis.config import ConfigError
from leak_lsp.analysis.fix_all import fix_to_apply
from leak_lsp.analysis.model import FileReport, Finding
from leak_lsp.cli.fixing import FileFix, unified_diff
from leak_lsp.cli.output import (
    FORMATTERS,
    Context,
    Summary,
    display_path,
    format_handlers,
    format_statistics,
    text_lines,
)
from leak_lsp.cli.runner import FixMode, ProgressBar, Task, run_tasks
from leak_lsp.cli.settings import Overrides, SettingsResolver
from leak_lsp.project.discovery import ExcludeOptions, FileFinder

EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


def check(args: argparse.Namespace) -> int:
    resolver = SettingsResolver(Overrides.from_arguments(args))
    finder = FileFinder(resolver.for_folder, _exclude_options(args))
    try:
        discovered = finder.find(args.paths)
        tasks = [Task(str(path), resolver.for_file(path), _fix_mode(args), args.unsafe_fixes, _shows_fixes(args))
                 for path in discovered.files]
    except ConfigError as error:
        print(f"leak-lsp: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for path in discovered.missing:
        print(f"leak-lsp: error: {path}: no such file or folder", file=sys.stderr)
    if not tasks and not discovered.missing:
        print("leak-lsp: warning: no Python files found under the given paths", file=sys.stderr)
    progress = ProgressBar(len(tasks))
    try:
        results = run_tasks(tasks, args.jobs, progress.advance)
    finally:
        progress.close()
    results.sort(key=lambda result: display_path(result.report.path))
    status = _print_results(args, results)
    return EXIT_USAGE if discovered.missing else status


def _exclude_options(args: argparse.Namespace) -> ExcludeOptions:
    def flattened(groups: list[list[str]] | None) -> tuple[str, ...]:
        return tuple(pattern for group in groups or [] for pattern in group)

    return ExcludeOptions(flattened(args.exclude) if args.exclude is not None else None, flattened(args.extend_exclude))


def _shows_fixes(args: argparse.Namespace) -> bool:
    """The text summary counts fixable findings, JSON and --statistics show them; SARIF and GitHub do not."""
    return args.statistics or (args.format in ("text", "json") and not args.show_handlers)


def _fix_mode(args: argparse.Namespace) -> FixMode:
    if args.diff:
        return FixMode.DIFF
    return FixMode.WRITE if args.fix else FixMode.NONE


def _print_results(args: argparse.Namespace, results: list[FileFix]) -> int:
    """Print what the options ask for; return the exit status."""
    for result in results:
        if result.warning:
            print(f"leak-lsp: warning: {display_path(result.report.path)}: {result.warning}", file=sys.stderr)
    reports = [result.report for result in results]
    if not (args.show_handlers or args.diff or args.statistics):
        context = Context(_summary(args, results), colour=args.format == "text" and wants_colour(sys.stdout))
        sys.stdout.write(FORMATTERS[args.format](reports, context))
        return _found_status(reports)
    _print_problems(reports, sys.stderr)  # the chosen report has no room for them
    if args.show_handlers:
        sys.stdout.write(format_handlers(reports, as_json=args.format == "json"))
        return EXIT_CLEAN
    if args.diff:
        return _print_diffs(results)
    sys.stdout.write(format_statistics(reports, args.format == "json", _fixable(args.unsafe_fixes)))
    return _found_status(reports)


def _found_status(reports: Sequence[FileReport]) -> int:
    return EXIT_FOUND if any(report.findings or report.problems for report in reports) else EXIT_CLEAN


def _fixable(unsafe_fixes: bool) -> Callable[[Finding], bool]:
    return lambda finding: fix_to_apply(finding, unsafe_fixes) is not None


def _summary(args: argparse.Namespace, results: Sequence[FileFix]) -> Summary:
    reports = [result.report for result in results]
    findings = [finding for report in reports for finding in report.findings]
    safe, safe_or_unsafe = _fixable(False), _fixable(True)
    only_unsafe = [finding for finding in findings if safe_or_unsafe(finding) and not safe(finding)]
    return Summary(
        findings=len(findings),
        files_with_findings=sum(1 for report in reports if report.findings),
        problems=sum(len(report.problems) for report in reports),
        fixed=sum(result.applied for result in results),
        fixable=sum(1 for finding in findings if safe(finding)),
        unsafe_fixable=0 if args.unsafe_fixes else len(only_unsafe),
    )


def _print_diffs(results: Sequence[FileFix]) -> int:
    changed = [result for result in results if result.original is not None and result.fixed is not None]
    for result in changed:
        sys.stdout.write(unified_diff(result.original, result.fixed, display_path(result.report.path)))
    count = sum(result.applied for result in changed)
    print(f"Would fix {count} leak{'' if count == 1 else 's'}." if count else "No fixes available.", file=sys.stderr)
    return EXIT_FOUND if changed else EXIT_CLEAN


def _print_problems(reports: Sequence[FileReport], stream: TextIO) -> None:
    """The files that could not be (fully) analysed, in the text format."""
    problems_only = [FileReport(report.path, problems=report.problems) for report in reports if report.problems]
    stream.write("".join(line + "\n" for line in text_lines(problems_only)))


def wants_colour(stream: TextIO) -> bool:
    """Colours on a terminal; ``NO_COLOR`` turns them off and ``FORCE_COLOR`` on (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()
