"""The rule catalogue: one module per rule, holding its detection data, message and page.

A rule module defines ``RULE`` and documents the rule in its docstring, in ruff's
format (What it does / Why is this bad? / Example / Use instead / Fix safety /
References). ``docs/rules/CODE.md`` is generated from that docstring.
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache
from types import ModuleType

from leak_lsp.analysis.model import Severity
from leak_lsp.rules.rule import Occasion, Rule, WorkKind

_MODULES = (
    "thread_not_joined",
    "timer_not_cancelled",
    "alarm_not_disarmed",
    "executor_work_not_waited",
    "process_not_waited",
    "task_on_reused_loop",
    "service_not_stopped",
    "greenlet_not_joined",
    "telemetry_not_flushed",
    "browser_not_quit",
    "callback_before_work",
    "done_before_work",
    "work_after_response",
    "callback_handler_on_nodejs24",
    "task_dropped_by_asyncio_run",
    "coroutine_never_awaited",
    "work_started_at_import",
    "atexit_in_handler",
    "work_handed_off",
    "work_leaks_on_exception",
    "unused_noqa",
)

DOCS_URL = "https://github.com/leak-lsp/leak-lsp/blob/main/docs/rules/{code}.md"


@cache
def _rule_modules() -> dict[str, ModuleType]:
    modules = {}
    for name in _MODULES:
        module = importlib.import_module(f"leak_lsp.rules.{name}")
        modules[module.RULE.code] = module
    return modules


def all_rules() -> tuple[Rule, ...]:
    return tuple(module.RULE for module in _rule_modules().values())


def rule_for(code: str) -> Rule:
    """The rule with this code; ``KeyError`` for an unknown one."""
    rule: Rule = _rule_modules()[code].RULE
    return rule


def work_kinds() -> tuple[WorkKind, ...]:
    return tuple(kind for rule in all_rules() for kind in rule.kinds)


def rule_of_kind(kind: WorkKind) -> Rule:
    if kind.rule_code is not None:
        return rule_for(kind.rule_code)
    return next(rule for rule in all_rules() if kind in rule.kinds)


@cache
def _meta_rules() -> dict[Occasion, Rule]:
    return {rule.occasion: rule for rule in all_rules() if rule.occasion is not None}


def rule_reporting(kind: WorkKind, occasion: Occasion | None = None) -> Rule:
    """The one routing of work to a rule: the meta rule of its occasion, else its kind's own rule."""
    return rule_of_kind(kind) if occasion is None else _meta_rules()[occasion]


def rule_url(code: str) -> str:
    return DOCS_URL.format(code=code)


def rule_page(code: str) -> str:
    """The rule's documentation page, as Markdown."""
    module = _rule_modules()[code]
    rule: Rule = module.RULE
    body = inspect.cleandoc(module.__doc__ or "")
    severity = f"**{rule.severity.value}**"
    if rule.severity is Severity.ERROR:
        severity += f" ({_NOT_PROVEN})"
    return (
        f"# {rule.name} ({rule.code})\n\n"
        f"Outcome: **{rule.outcome.value}**. Default severity: {severity}.\n\n"
        f"{body}\n"
    )


_NOT_PROVEN = (
    "**warning** where the leak is not proven: in per-invocation code that is not a proven handler (a function "
    "that uses a parameter as a Lambda context, a wrapper a decorator puts in place of a handler, a method of a "
    "class built from `(event, context)`, a method that a handler module in another file calls on a class it "
    "imports, a Cloud Functions HTTP function deployed without a decorator that reads its Flask `request`), "
    "whose callers the analysis cannot see (a context helper whose module or class also offers a function that "
    "only settles, `arm(context)` beside `disarm()`, is left to its callers); and for work started only "
    "when a module-level setting has some value (`if SETTINGS[\"mode\"] == \"thread\":`), which the "
    "deployment may switch off"
)
