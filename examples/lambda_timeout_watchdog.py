"""An AWS Lambda handler that warns shortly before it times out.

The watchdog Timer is started on every invocation but cancelled only on the happy
path: when the lookup raises, or the early return for a cached order is taken, the
Timer is still pending when the handler returns. It fires inside a *later*
invocation of the same warm container and logs a bogus timeout warning there.
"""

import json
import logging
import threading

import boto3

logger = logging.getLogger()
table = boto3.resource("dynamodb").Table("orders")
cache: dict[str, dict] = {}


def warn_about_timeout(request_id: str) -> None:
    logger.warning("request %s is about to time out", request_id)


def lambda_handler(event, context):
    seconds_left = context.get_remaining_time_in_millis() / 1000
    watchdog = threading.Timer(seconds_left - 1, warn_about_timeout, args=(context.aws_request_id,))
    watchdog.start()

    order_id = event["pathParameters"]["order_id"]
    if order_id in cache:
        return {"statusCode": 200, "body": json.dumps(cache[order_id])}

    item = table.get_item(Key={"order_id": order_id}).get("Item")
    cache[order_id] = item
    watchdog.cancel()
    return {"statusCode": 200 if item else 404, "body": json.dumps(item)}
