"""The metrics task of ``../asyncio_forgotten_task.py``, awaited before the handler returns."""

import asyncio
import json

import aiohttp

loop = asyncio.new_event_loop()


async def publish_metrics(session: aiohttp.ClientSession, name: str, value: float) -> None:
    await session.post("https://metrics.example.com/v1", json={"name": name, "value": value})


async def handle(event: dict) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(event["url"]) as response:
            page = await response.text()
        metrics = asyncio.create_task(publish_metrics(session, "page_bytes", len(page)))
        await metrics
    return {"statusCode": 200, "body": json.dumps({"length": len(page)})}


def lambda_handler(event, context):
    return loop.run_until_complete(handle(event))
