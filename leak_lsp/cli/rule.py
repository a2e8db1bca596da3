"""``leak-lsp rule [CODE]``: print a rule's page, or the table of rules."""

from __future__ import annotations

import argparse
import sys

from leak_lsp.rules import all_rules, rule_page


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", nargs="?", help="a rule code such as EL101; omit to list every rule")


def run(args: argparse.Namespace) -> int:
    if args.code is None:
        for rule in all_rules():
            print(f"{rule.code}  {rule.name:<30} {rule.outcome.value:<8} {rule.severity.value}")
        return 0
    code = args.code.upper()
    try:
        print(rule_page(code), end="")
    except KeyError:
        print(f"leak-lsp: unknown rule {args.code!r}; `leak-lsp rule` lists them", file=sys.stderr)
        return 2
    return 0
