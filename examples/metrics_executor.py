"""A Lambda handler that sends metrics on a module-level thread pool and never waits.

Standard library only: `leak-lsp reproduce examples/metrics_executor.py` runs it. The
executor outlives every invocation; the submitted job resumes in a later one, or is
lost when the environment is shut down.
"""

import time
from concurrent.futures import ThreadPoolExecutor

EXECUTOR = ThreadPoolExecutor(max_workers=2)


def send_metric(name, value):
    time.sleep(0.2)  # the metrics endpoint's latency
    print(f"metric {name}={value} sent")


def lambda_handler(event, context):
    EXECUTOR.submit(send_metric, "orders", len(event.get("orders", [])))
    return {"statusCode": 202}
