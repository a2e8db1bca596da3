"""The watchdog of ``../lambda_timeout_watchdog.py``, cancelled on every way out."""

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
    try:
        order_id = event["pathParameters"]["order_id"]
        if order_id in cache:
            return {"statusCode": 200, "body": json.dumps(cache[order_id])}

        item = table.get_item(Key={"order_id": order_id}).get("Item")
        cache[order_id] = item
        return {"statusCode": 200 if item else 404, "body": json.dumps(item)}
    finally:
        watchdog.cancel()
