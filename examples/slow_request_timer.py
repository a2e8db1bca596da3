"""A Lambda handler that arms a "this request is slow" warning and forgets to cancel it.

Standard library only: `leak-lsp reproduce examples/slow_request_timer.py` runs it. The
request is fast, so the warning should never fire; but the Timer is still armed at the
return, fires during the freeze, and logs a bogus warning inside the next invocation.
"""

import threading


def warn_slow(request_id):
    print(f"WARNING: request {request_id} is slow")


def lambda_handler(event, context):
    warning = threading.Timer(0.2, warn_slow, args=(context.aws_request_id,))
    warning.start()
    return {"statusCode": 200, "body": event.get("name", "world")}
