"""``leak-lsp check [PATH ...]``: find execution leaks in files and folders.

This module only declares the options (it is imported for every subcommand, so it stays
light); :mod:`leak_lsp.cli.check_run` does the work.
"""

from __future__ import annotations

import argparse
import os

FORMATS = ("text", "json", "sarif", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders to check (default: .)")
    parser.add_argument("--format", "--output-format", dest="format", choices=FORMATS, default="text",
                        help="output format (default: text)")  # fmt: skip
    rules = parser.add_argument_group("rule selection (on top of [tool.leak-lsp] in pyproject.toml)")
    rules.add_argument("--select", action="append", type=selectors, metavar="CODES",
                       help="only these rule codes or prefixes, comma-separated (replaces the configured ones)")
    rules.add_argument("--extend-select", action="append", type=selectors, metavar="CODES",
                       help="rule codes or prefixes to add to the selection")
    rules.add_argument("--ignore", action="append", type=selectors, metavar="CODES",
                       help="rule codes or prefixes to leave out")
    rules.add_argument("--severity", action="append", type=severity_override, metavar="CODE=LEVEL",
                       help="report a code at error|warning|information|hint (repeatable)")
    files = parser.add_argument_group("file selection")
    files.add_argument("--exclude", action="append", type=patterns, metavar="PATTERNS",
                       help="gitignore-style patterns to skip, comma-separated (replaces the configured `exclude`)")
    files.add_argument("--extend-exclude", action="append", type=patterns, metavar="PATTERNS",
                       help="gitignore-style patterns to skip as well, comma-separated")
    files.add_argument("--force-exclude", action="store_true",
                       help="skip excluded files even when named on the command line (for pre-commit)")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true", help="apply the safe fixes and write the files back")
    fixes.add_argument("--unsafe-fixes", action="store_true", help="apply the unsafe fixes too")
    fixes.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; change no file")
    reports = parser.add_argument_group("reports")
    reports.add_argument("--show-handlers", action="store_true", help="list the entry points found, and why")
    reports.add_argument("--statistics", action="store_true", help="count the findings per rule code")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write the results cache (.leak_lsp_cache beside pyproject.toml)")
    parser.add_argument("--jobs", "-j", type=positive_int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes when there are many files, at most one per usable CPU (default: the number of CPUs)")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from leak_lsp.cli.check_run import check

    return check(args)


def rule_selector(text: str) -> str:
    """``ALL`` or a prefix of at least one rule code (``EL1``, ``EL101``): the same check as pyproject.toml's."""
    from leak_lsp.analysis.config import ConfigError, check_selector

    try:
        return check_selector(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def selectors(text: str) -> list[str]:
    """``EL101,EL2``: ruff takes comma-separated codes."""
    return [rule_selector(part) for part in text.split(",") if part.strip()]


def severity_override(text: str) -> tuple[str, str]:
    """``CODE=level``."""
    from leak_lsp.analysis.config import ConfigError, check_severity

    code, separator, level = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(f"expected CODE=LEVEL, got {text!r}")
    try:
        return rule_selector(code), check_severity(level).value
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def patterns(text: str) -> list[str]:
    return [pattern.strip() for pattern in text.split(",") if pattern.strip()]


def positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return int(text)
