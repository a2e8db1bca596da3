"""Work reaches its rule through one routing: its kind's own rule, or the meta rule of an occasion."""

from __future__ import annotations

from leak_lsp.rules import all_rules, rule_reporting
from leak_lsp.rules.rule import Occasion
from leak_lsp.rules.thread_not_joined import RULE as THREAD_RULE
from leak_lsp.rules.thread_not_joined import THREAD


def test_every_occasion_has_exactly_one_meta_rule() -> None:
    owners = [rule.occasion for rule in all_rules() if rule.occasion is not None]
    assert sorted(owners) == sorted(Occasion)


def test_work_without_an_occasion_reports_under_its_kinds_rule() -> None:
    assert rule_reporting(THREAD) is THREAD_RULE


def test_an_occasion_reports_any_kind_under_its_meta_rule() -> None:
    assert rule_reporting(THREAD, Occasion.HANDED_OFF).occasion is Occasion.HANDED_OFF


def test_a_meta_rule_owns_no_work_kind() -> None:
    assert all(not rule.kinds for rule in all_rules() if rule.occasion is not None)
