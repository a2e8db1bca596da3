"""The fixed twin of `examples/metrics_executor.py`, as `leak-lsp check --fix` writes it.

The handler waits for the submitted job, so it finishes inside its own invocation.
`leak-lsp reproduce examples/fixed/metrics_executor.py` reports `verdict: clean`.
"""

import time
from concurrent.futures import ThreadPoolExecutor

EXECUTOR = ThreadPoolExecutor(max_workers=2)


def send_metric(name, value):
    time.sleep(0.2)  # the metrics endpoint's latency
    print(f"metric {name}={value} sent")


def lambda_handler(event, context):
    future = EXECUTOR.submit(send_metric, "orders", len(event.get("orders", [])))
    future.result()
    return {"statusCode": 202}
