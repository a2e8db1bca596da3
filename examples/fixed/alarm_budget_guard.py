"""The fixed twin of `examples/alarm_budget_guard.py`, as `leak-lsp check --fix` writes it.

The timer is disarmed on the success path too, so no later invocation is interrupted.
`leak-lsp reproduce examples/fixed/alarm_budget_guard.py` reports `verdict: clean`.
"""

import signal


class BudgetExceeded(Exception):
    pass


def on_alarm(signum, frame):
    raise BudgetExceeded("the 0.3 s budget of an earlier request ran out")


def lambda_handler(event, context):
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        total = sum(event.get("numbers", [1, 2, 3]))
    except TypeError:
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise
    signal.setitimer(signal.ITIMER_REAL, 0)
    return {"statusCode": 200, "total": total}
