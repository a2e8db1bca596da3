"""The fixed twin of `examples/audit_thread.py`, as `leak-lsp check --fix` writes it.

The thread is joined before the handler returns, so the record is written in its own
invocation. `leak-lsp reproduce examples/fixed/audit_thread.py` reports `verdict:
clean`.
"""

import threading
import time


def write_audit_record(request_id):
    time.sleep(0.2)  # the audit service's latency
    print(f"audit record written for {request_id}")


def lambda_handler(event, context):
    auditor = threading.Thread(target=write_audit_record, args=(context.aws_request_id,))
    auditor.start()
    auditor.join()
    return {"statusCode": 200}
