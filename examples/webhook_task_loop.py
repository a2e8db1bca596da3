"""An async handler on a module-level event loop, as Mangum-style adapters run it.

Standard library only: `leak-lsp reproduce examples/webhook_task_loop.py` runs it. The
webhook task is never awaited: the loop is only driven during invocations, so the task
runs in the *next* one, with that request's data in flight.
"""

import asyncio

LOOP = asyncio.new_event_loop()


async def deliver_webhook(payload):
    await asyncio.sleep(0.1)
    print(f"webhook delivered: {payload}")


async def handle(event):
    asyncio.create_task(deliver_webhook(event.get("payload", {})))
    return {"statusCode": 202}


def lambda_handler(event, context):
    return LOOP.run_until_complete(handle(event))
