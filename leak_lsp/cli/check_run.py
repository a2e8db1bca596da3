"""One run of ``leak-lsp check``: find the files, analyse (and fix) them, print the results.

Exit status, as ruff's: 0 when nothing was found (or only information-level findings),
1 when a leak, a deployment problem or a file that could not be analysed was found (after ``--fix``: when some remain; with ``--diff``: when a fix is
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
from leak_lsp.analysis.model import FileReport, Finding, Severity
from leak_lsp.cli.fixing import FileFix, unified_diff
from leak_lsp.cli.output import (
    FORMATTERS,
    Context,
    RunTotals,
    display_path,
    format_handlers,
    format_statistics,
    summary_lines,
    text_lines,
)
from leak_lsp.cli.runner import FixMode, ProgressBar, Task, is_deployment_problem, run_tasks
from leak_lsp.cli.settings import SettingsResolver, overlay_from_arguments
from leak_lsp.project.discovery import ExcludeOptions, FileFinder, is_deployment_name

EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE = 0, 1, 2
REPORT_FORMATS = ("text", "json")  # what --statistics and --show-handlers can print


def check(args: argparse.Namespace) -> int:
    usage_error = _unsupported_combination(args)
    if usage_error:
        print(f"leak-lsp check: error: {usage_error}", file=sys.stderr)
        return EXIT_USAGE
    resolver = SettingsResolver(overlay_from_arguments(args))
    finder = FileFinder(resolver.for_folder, _exclude_options(args))
    try:
        discovered = finder.find(args.paths)
        tasks = [Task(str(path), resolver.for_file(path), _fix_mode(args), args.unsafe_fixes, is_deployment_name(path),
                      use_cache=not args.no_cache, fixes=_shows_fixes(args)) for path in discovered.files]
    except ConfigError as error:
        print(f"leak-lsp: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for path in discovered.missing:
        print(f"leak-lsp: error: {path}: no such file or folder", file=sys.stderr)
    for skipped, reason in discovered.skipped:
        print(f"leak-lsp: warning: {display_path(str(skipped))}: skipped, {reason}", file=sys.stderr)
    if discovered.missing and not tasks:
        return EXIT_USAGE
    if not tasks:
        print("leak-lsp: warning: no Python, JavaScript, TypeScript or deployment files found under the given paths", file=sys.stderr)
    progress = ProgressBar(len(tasks))
    try:
        results = run_tasks(tasks, args.jobs, progress.advance)
    finally:
        progress.close()
    results.sort(key=lambda result: display_path(result.report.path))
    status = _print_results(args, results, complete=not discovered.missing)
    return EXIT_USAGE if discovered.missing else status


def _unsupported_combination(args: argparse.Namespace) -> str | None:
    """Options that cannot print what they ask for together (ruff rejects them too)."""
    for option, wanted in (("statistics", args.statistics), ("show-handlers", args.show_handlers)):
        if wanted and args.format not in REPORT_FORMATS:
            return f"--{option} prints {' or '.join(REPORT_FORMATS)}, not {args.format}"
    if args.diff and args.fix:
        return "--diff shows the fixes without writing them; drop --fix"
    return None


def _exclude_options(args: argparse.Namespace) -> ExcludeOptions:
    def flattened(groups: list[list[str]] | None) -> tuple[str, ...]:
        return tuple(pattern for group in groups or [] for pattern in group)

    return ExcludeOptions(flattened(args.exclude) if args.exclude is not None else None, flattened(args.extend_exclude),
                          args.force_exclude)


def _shows_fixes(args: argparse.Namespace) -> bool:
    """The text summary counts fixable findings, JSON and --statistics show them; SARIF and GitHub do not."""
    return args.statistics or (args.format in ("text", "json") and not args.show_handlers)


def _fix_mode(args: argparse.Namespace) -> FixMode:
    if args.diff:
        return FixMode.DIFF
    return FixMode.WRITE if args.fix else FixMode.NONE


def _print_results(args: argparse.Namespace, results: list[FileFix], complete: bool) -> int:
    """Print what the options ask for; return the exit status. ``complete``: every path existed."""
    for result in results:
        if result.warning:
            print(f"leak-lsp: warning: {display_path(result.report.path)}: {result.warning}", file=sys.stderr)
    reports = [result.report for result in results]
    summary = _summary(args, results, complete)
    if not (args.show_handlers or args.diff or args.statistics):
        context = Context(summary, colour=args.format == "text" and wants_colour(sys.stdout))
        sys.stdout.write(FORMATTERS[args.format](reports, context))
        return _found_status(reports)
    _print_problems(reports, sys.stderr)  # the chosen report has no room for them
    if args.show_handlers:
        sys.stdout.write(format_handlers(reports, as_json=args.format == "json"))
        if args.format == "text" and not any(report.handlers for report in reports):
            print("No entry points found: name them with `handlers` in [tool.leak-lsp] (docs/configuration.md).")
        return EXIT_CLEAN
    if args.diff:
        return _print_diffs(results)
    sys.stdout.write(format_statistics(reports, args.format == "json", _fixable(args.unsafe_fixes)))
    if args.fix and args.format == "text":  # what was fixed, and what remains
        sys.stdout.write("".join(line + "\n" for line in summary_lines(summary)))
    return _found_status(reports)


def _found_status(reports: Sequence[FileReport]) -> int:
    """1 when a finding above information level remains, or a file could not be analysed."""
    found = any(_is_blocking(finding) for report in reports for finding in report.findings)
    return EXIT_FOUND if found or any(report.problems for report in reports) else EXIT_CLEAN


def _is_blocking(finding: Finding) -> bool:
    """An error or a warning: what fails a CI run. Information and hints are notes."""
    return finding.severity in (Severity.ERROR, Severity.WARNING)


def _fixable(unsafe_fixes: bool) -> Callable[[Finding], bool]:
    return lambda finding: fix_to_apply(finding, unsafe_fixes) is not None


def _summary(args: argparse.Namespace, results: Sequence[FileFix], complete: bool = True) -> RunTotals:
    reports = [result.report for result in results]
    findings = [finding for report in reports for finding in report.findings]
    safe, safe_or_unsafe = _fixable(False), _fixable(True)
    only_unsafe = [finding for finding in findings if safe_or_unsafe(finding) and not safe(finding)]
    return RunTotals(
        findings=sum(map(_is_blocking, findings)),
        files_with_findings=sum(1 for report in reports if any(map(_is_blocking, report.findings))),
        notes=sum(not _is_blocking(finding) for finding in findings),
        problems=sum(not is_deployment_problem(problem) for report in reports for problem in report.problems),
        deployment_problems=sum(is_deployment_problem(problem) for report in reports for problem in report.problems),
        complete=complete,
        fixed=sum(result.applied for result in results),
        fixable=sum(1 for finding in findings if safe(finding)),
        unsafe_fixable=0 if args.unsafe_fixes else len(only_unsafe),
    )


def _print_diffs(results: Sequence[FileFix]) -> int:
    changed = [result for result in results if result.original is not None and result.fixed is not None]
    for result in changed:
        assert result.original is not None and result.fixed is not None
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
