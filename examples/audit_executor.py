"""A Lambda handler that sends audit events on a module-level thread pool.

The executor outlives every invocation, and nothing waits for the submitted work:
the audit call is cut off when the container is frozen, finishes during a later
request (logged under that request's id), or is lost when the container is recycled.
"""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import requests

AUDIT_URL = os.environ.get("AUDIT_URL", "https://audit.example.com/events")
executor = ThreadPoolExecutor(max_workers=4)


def send_audit_event(user: str, action: str) -> None:
    requests.post(AUDIT_URL, json={"user": user, "action": action}, timeout=10)


def lambda_handler(event, context):
    body = json.loads(event["body"])
    executor.submit(send_audit_event, body["user"], "checkout")
    return {"statusCode": 202, "body": json.dumps({"accepted": True})}
