"""The fixed twin of `examples/webhook_task_loop.py`, as `leak-lsp check --fix` writes it.

The task is awaited, so the webhook is delivered before the response. `leak-lsp
reproduce examples/fixed/webhook_task_loop.py` reports `verdict: clean`.
"""

import asyncio

LOOP = asyncio.new_event_loop()


async def deliver_webhook(payload):
    await asyncio.sleep(0.1)
    print(f"webhook delivered: {payload}")


async def handle(event):
    task = asyncio.create_task(deliver_webhook(event.get("payload", {})))
    await task
    return {"statusCode": 202}


def lambda_handler(event, context):
    return LOOP.run_until_complete(handle(event))
