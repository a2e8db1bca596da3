"""A Lambda handler that guards its work with SIGALRM and disarms it only when the work fails.

Standard library only: `leak-lsp reproduce examples/alarm_budget_guard.py` runs it. On
success the timer stays armed: it goes off in the next invocation, whose unrelated
code is interrupted by `BudgetExceeded`.
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
    return {"statusCode": 200, "total": total}
