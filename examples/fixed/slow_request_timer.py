"""The fixed twin of `examples/slow_request_timer.py`, as `leak-lsp check --fix` writes it.

The warning is cancelled once the response is computed, so it never fires in another
invocation. `leak-lsp reproduce examples/fixed/slow_request_timer.py` reports `verdict:
clean`.
"""

import threading


def warn_slow(request_id):
    print(f"WARNING: request {request_id} is slow")


def lambda_handler(event, context):
    warning = threading.Timer(0.2, warn_slow, args=(context.aws_request_id,))
    warning.start()
    result = {"statusCode": 200, "body": event.get("name", "world")}
    warning.cancel()
    return result
