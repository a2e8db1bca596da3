"""What ``leak-lsp reproduce`` observed, its verdict, exit code and the two ways of printing it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

Event = dict[str, Any]


@dataclass
class Invocation:
    number: int
    duration_ms: float
    error: str | None = None  # the handler's traceback
    pending: list[Event] = field(default_factory=list)  # work still pending when it returned
    value: Any = None  # what the handler returned: its repr (Python) or its JSON value (Node)


@dataclass
class Report:
    target: str
    freezer: str
    idle_seconds: float
    invocations: list[Invocation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    setup_error: str | None = None  # the handler could not be imported or found
    runtime_error: str | None = None  # the runtime died or timed out
    timed_out: bool = False  # the init phase or an invocation exceeded the timeout

    @property
    def verdict(self) -> str:
        """``error`` when nothing could run; else ``leak``, ``lost``, ``timeout``, ``error`` (an
        invocation raised, the runtime died), ``clean``: the first that applies."""
        outcomes = {event["outcome"] for event in self.events}
        if self.setup_error is not None:
            return "error"
        for outcome in ("leak", "lost"):
            if outcome in outcomes:
                return outcome
        if self.timed_out:
            return "timeout"
        if self.runtime_error is not None or any(invocation.error for invocation in self.invocations):
            return "error"
        return "clean"

    @property
    def exit_code(self) -> int:
        """0 clean; 1 leak, lost, or an invocation that raised; 2 when the handler could not be
        run to the end (not loaded, timed out, the runtime died). A leak that crashed the runtime
        is still a leak."""
        if self.setup_error is not None:
            return 2
        if self.verdict in ("leak", "lost"):
            return 1
        if self.timed_out or self.runtime_error is not None:
            return 2
        return 1 if self.verdict == "error" else 0

    def to_json(self) -> str:
        data = {"verdict": self.verdict, "target": self.target, "freezer": self.freezer,
                "idle_seconds": self.idle_seconds, "events": self.events,
                "invocations": [asdict(invocation) for invocation in self.invocations],
                "error": self.setup_error or self.runtime_error}
        return json.dumps(data, indent=2)

    def to_text(self) -> str:
        lines = [f"{self.target}: {len(self.invocations)} invocation(s), frozen {self.idle_seconds:g} s between them"
                 f" (freezer: {self.freezer})"]
        if self.setup_error is not None:
            return "\n".join([*lines, "error: " + self.setup_error.rstrip(), f"verdict: {self.verdict}"]) + "\n"
        for invocation in self.invocations:
            lines.extend(_invocation_lines(invocation))
        lines.extend(_event_line(event) for event in self.events)
        if self.runtime_error is not None:
            lines.append("error: " + self.runtime_error.rstrip())
        lines.append(f"verdict: {self.verdict}")
        return "\n".join(lines) + "\n"


def _invocation_lines(invocation: Invocation) -> list[str]:
    outcome = "returned" if invocation.error is None else "raised " + invocation.error.strip().splitlines()[-1]
    lines = [f"invocation {invocation.number}: {outcome} after {invocation.duration_ms:.0f} ms"]
    if invocation.error is not None:
        lines.extend("  " + line for line in invocation.error.rstrip().splitlines())
    lines.extend(f"  still pending at return: {work['what']} (scheduled at {work['scheduled_at']}, {work['scheduled_in']})"
                 for work in invocation.pending)
    return lines


def _event_line(event: Event) -> str:
    origin = f"{event['what']} scheduled at {event['scheduled_at']} in {event['scheduled_in']}"
    if event["outcome"] == "leak":
        where = f" at {event['ran_at']}" if "ran_at" in event else ""
        return f"LEAK  {origin} ran during {event['ran_in']}: {event['ran']}{where}"
    return f"LOST  {origin}: {event['reason']}"
