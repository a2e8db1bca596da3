"""Applying effects to the instance set (``lifecycle/state.py``), handles and branch refinement."""

from __future__ import annotations

import ast

from leak_lsp.analysis.catalogue import catalogue
from leak_lsp.analysis.lifecycle.branches import settled_on_branch
from leak_lsp.analysis.lifecycle.effects import Bind, HandOff, Observe, PassInert, Settle, Start
from leak_lsp.analysis.lifecycle.handles import carried, drained, fresh, rebased, slot, variable
from leak_lsp.analysis.lifecycle.state import Ledger, Pending, without_fresh
from leak_lsp.analysis.lifecycle.work import Sites
from leak_lsp.analysis.names import module_scope
from leak_lsp.rules.rule import WorkKind
from leak_lsp.rules.thread_not_joined import THREAD

COROUTINE = catalogue(()).unawaited_call


def pending_with(*kinds: WorkKind | None) -> Pending:
    """An empty state over one site per kind (site numbers in order)."""
    tree = ast.parse("pass")
    sites = Sites()
    for kind in kinds:
        sites.site(kind, ast.Pass(), None)
    return Pending(frozenset(), Ledger(sites, module_scope(tree)))


def test_binding_a_name_moves_it_from_the_old_work_to_the_new() -> None:
    pending = pending_with(THREAD, THREAD)
    pending.apply(Start(0, frozenset({variable("t")})))
    pending.apply(Start(1, frozenset({fresh("1")})))
    pending.apply(Bind(variable("t"), frozenset({fresh("1")})))
    assert pending.instances == {(0, frozenset()), (1, frozenset({fresh("1"), variable("t")}))}


def test_binding_a_constructed_object_carries_its_attribute_paths_to_the_name() -> None:
    pending = pending_with(THREAD)
    pending.apply(Start(0, frozenset({fresh("new7.driver")})))
    pending.apply(Bind(variable("wrapper"), frozenset({fresh("new7")})))
    [(_, names)] = pending.instances
    assert variable("wrapper.driver") in names


def test_binding_records_the_first_name_of_the_work() -> None:
    pending = pending_with(THREAD)
    pending.apply(Start(0, frozenset({fresh("0")})))
    pending.apply(Bind(variable("t"), frozenset({fresh("0")})))
    assert pending.works[0].name == "t"


def test_passing_inert_work_settles_only_through_handles_that_reach_inert_work() -> None:
    assert COROUTINE is not None
    pending = pending_with(COROUTINE, THREAD)
    pending.apply(Start(0, frozenset({variable("c")})))
    pending.apply(Start(1, frozenset({variable("t")})))
    pending.apply(PassInert(frozenset({variable("c"), variable("t")})))
    assert [site for site, _ in pending.instances] == [1]


def test_handing_off_work_records_where_it_went() -> None:
    pending = pending_with(THREAD)
    pending.apply(Start(0, frozenset({variable("t")})))
    pending.apply(HandOff(frozenset({variable("t")}), "`register()`", "register"))
    assert not pending.instances
    assert pending.ledger.handoffs[0].root == "register"


def test_settling_a_slot_disarms_the_timer_armed_in_it() -> None:
    pending = pending_with(THREAD)
    pending.apply(Start(0, frozenset({slot("signal.ITIMER_REAL")})))
    pending.apply(Settle(frozenset({slot("signal.ITIMER_REAL")})))
    assert not pending.instances


def test_a_slot_and_a_variable_of_the_same_text_are_different_handles() -> None:
    pending = pending_with(THREAD)
    pending.apply(Start(0, frozenset({slot("timer")})))
    pending.apply(Settle(frozenset({variable("timer")})))
    assert pending.instances


def test_observing_a_branch_drops_the_work_the_handle_reaches() -> None:
    pending = pending_with(THREAD, THREAD)
    pending.apply(Start(0, frozenset({variable("t")})))
    pending.apply(Start(1, frozenset({variable("u")})))
    pending.apply(Observe(variable("t")))
    assert [site for site, _ in pending.instances] == [1]


def test_the_end_of_a_statement_forgets_its_unbound_values_not_their_work() -> None:
    state = frozenset({(0, frozenset({fresh("0"), variable("t")}))})
    assert without_fresh(state) == {(0, frozenset({variable("t")}))}


def test_self_attributes_and_drained_queues_are_carried_to_callers() -> None:
    assert carried(variable("self.pool")) and carried(drained("jobs"))
    assert not carried(variable("pool")) and not carried(variable("selfish.pool"))


def test_self_attributes_are_rebased_on_the_callers_instance_and_dropped_without_one() -> None:
    handles = {variable("self.threads"), drained("jobs")}
    assert rebased(handles, variable("tracker")) == {variable("tracker.threads"), drained("jobs")}
    assert rebased(handles, None) == {drained("jobs")}


def test_a_false_liveness_test_settles_the_work_on_that_branch() -> None:
    test = ast.parse("t.is_alive()", mode="eval").body
    assert settled_on_branch(test, False) == variable("t")
    assert settled_on_branch(test, True) is None


def test_an_or_of_liveness_tests_settles_on_its_false_branch_only() -> None:
    test = ast.parse("t.is_alive() or u.is_alive()", mode="eval").body
    assert settled_on_branch(test, False) == variable("t")
    assert settled_on_branch(test, True) is None
