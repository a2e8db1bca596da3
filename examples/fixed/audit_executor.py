"""The audit event of ``../audit_executor.py``, waited for before the handler returns."""

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
    audit = executor.submit(send_audit_event, body["user"], "checkout")
    try:
        return {"statusCode": 202, "body": json.dumps({"accepted": True})}
    finally:
        audit.result()
