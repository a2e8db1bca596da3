"""A Lambda handler that writes its audit record on a background thread and returns at once.

Standard library only: `leak-lsp reproduce examples/audit_thread.py` runs it. The thread
is still sleeping when the handler returns; the container is frozen with it, and the
record is written during the *next* invocation, under the next request's id.
"""

import threading
import time


def write_audit_record(request_id):
    time.sleep(0.2)  # the audit service's latency
    print(f"audit record written for {request_id}")


def lambda_handler(event, context):
    auditor = threading.Thread(target=write_audit_record, args=(context.aws_request_id,))
    auditor.start()
    return {"statusCode": 200}
