"""Write docs/rules/CODE.md and docs/rules/README.md from the rule modules' docstrings.

Run after editing a rule: ``python docs/generate_rule_pages.py``. A test fails when the
pages and the rules disagree, so the pages cannot drift.
"""

from __future__ import annotations

from pathlib import Path

from leak_lsp.rules import all_rules, rule_page

RULES_DIR = Path(__file__).parent / "rules"


def index_page() -> str:
    rows = "\n".join(
        f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.outcome.value} | {rule.severity.value} |"
        for rule in all_rules()
    )
    return (
        "# Rules\n\n"
        "Generated from `leak_lsp/rules/` by `docs/generate_rule_pages.py`; edit the rule's docstring, not this file.\n\n"
        "| Code | Name | Outcome | Default severity |\n|---|---|---|---|\n"
        f"{rows}\n"
    )


def expected_pages() -> dict[Path, str]:
    pages = {RULES_DIR / f"{rule.code}.md": rule_page(rule.code) for rule in all_rules()}
    pages[RULES_DIR / "README.md"] = index_page()
    return pages


def main() -> None:
    RULES_DIR.mkdir(exist_ok=True)
    for path, text in expected_pages().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
