"""Library models users declare in ``[tool.leak-lsp] models``: their own calls that start work.

```toml
[tool.leak-lsp]
models = [
    { call = "acme.telemetry.emit", work = "buffer", settled-by = ["acme.telemetry.flush"] },
    { call = "acme.jobs.spawn", work = "thread", settled-by = ["join"] },
]
```

A ``buffer`` model fills one process-wide buffer per set of flushing functions: any call
of one of them (qualified names) settles it. The other kinds return a handle: a
``settled-by`` entry without a dot is a method of that handle (``join``), one with a dot
a function the handle is passed to (``acme.jobs.wait``). Each model reports under the
rule of its kind of work, so ``select``, ``ignore`` and ``severity`` apply as usual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leak_lsp import rules
from leak_lsp.rules.rule import Alarm, WorkKind


class ModelError(ValueError):
    """A model declaration is malformed; the message says which and how to fix it."""



_KEYS = {"call", "work", "settled-by"}
_QUALIFIED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_METHOD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def declared_work() -> dict[str, str]:
    """``work`` name -> the code of the rule that reports it: each rule declares its own (``Rule.declared_work``)."""
    return {rule.declared_work: rule.code for rule in rules.all_rules() if rule.declared_work is not None}


def parse_models(value: Any) -> tuple[WorkKind, ...]:
    if not isinstance(value, (list, tuple)):
        raise ModelError("`models` must be a list of tables: [{ call = \"pkg.start\", work = \"thread\", settled-by = [\"join\"] }]")
    return tuple(_model(number, entry) for number, entry in enumerate(value, start=1))


def _model(number: int, entry: Any) -> WorkKind:
    where = f"`models` entry {number}"
    if not isinstance(entry, Mapping):
        raise ModelError(f"{where} must be a table with `call`, `work` and `settled-by`")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ModelError(f"{where}: unknown key `{unknown[0]}` (expected {', '.join(sorted(_KEYS))})")
    missing = sorted(_KEYS - set(entry))
    if missing:
        raise ModelError(f"{where}: missing `{missing[0]}`")
    call, work, settled_by = entry["call"], entry["work"], entry["settled-by"]
    if not isinstance(call, str) or not _QUALIFIED.fullmatch(call):
        raise ModelError(f"{where}: `call` must be a qualified name such as \"acme.telemetry.emit\", not {call!r}")
    if work not in declared_work():
        raise ModelError(f"{where}: `work` must be one of {', '.join(sorted(declared_work()))}, not {work!r}")
    if isinstance(settled_by, str):
        settled_by = [settled_by]
    if not isinstance(settled_by, list) or not settled_by or not all(isinstance(item, str) for item in settled_by):
        raise ModelError(f"{where}: `settled-by` must be a non-empty list of names")
    for name in settled_by:
        if not (_QUALIFIED.fullmatch(name) or (work != "buffer" and _METHOD.fullmatch(name))):
            expected = "qualified function names" if work == "buffer" else "method names or qualified function names"
            raise ModelError(f"{where}: `settled-by` holds {expected}, not {name!r}")
    return _buffer(call, settled_by) if work == "buffer" else _handle_work(call, work, settled_by)


def _buffer(call: str, flushes: list[str]) -> WorkKind:
    slot = "model:" + ",".join(sorted(flushes))
    alarms = tuple(Alarm(arm=call, slot=slot, seconds_argument=None, disarm=f"{{{flush}}}()", cancel=flush)
                   for flush in flushes)
    return WorkKind(name=f"model:{call}", noun=f"`{call}` buffer", alarms=alarms, buffer_slot=slot,
                    settle_title=f"Call {flushes[0]}()", rule_code=declared_work()["buffer"])


def _handle_work(call: str, work: str, settled_by: list[str]) -> WorkKind:
    methods = frozenset(name for name in settled_by if "." not in name)
    functions = frozenset(name for name in settled_by if "." in name)
    first = settled_by[0]
    template = f"{{handle}}.{first}()" if "." not in first else f"{{{first}}}({{handle}})"
    noun = work
    return WorkKind(name=f"model:{call}", noun=noun, handle_name=work, created_by=(call,), settle_methods=methods,
                    settle_functions=functions, awaitable=work in {"task", "future"}, settle_template=template,
                    settle_title=f"Settle the {noun}", rule_code=declared_work()[work], reported_at_import=work != "buffer")
