"""## What it does
Checks for work submitted to an executor or a process pool (`submit`, `map`,
`apply_async`, `map_async`, `imap`, s3transfer and Pub/Sub futures), and for Kafka
messages (`KafkaProducer.send`, confluent `Producer.produce`), whose result the handler
does not wait for (or whose producer it does not flush) on every path to its exits.

## Why is this bad?
The executor's worker threads keep running after the handler returns and are frozen
with the container; the work resumes in a later invocation, or is lost when the
environment is recycled. Module-level executors, created once and reused by every
invocation, are the common form. `Executor.map` submits everything at once, so an
unconsumed result iterator leaks just the same. `future.cancel()` stops only work that
has not started yet, so it does not settle anything.

## Example
```python
from concurrent.futures import ThreadPoolExecutor

EXECUTOR = ThreadPoolExecutor(max_workers=4)

def lambda_handler(event, context):
    EXECUTOR.submit(upload, event["body"])
    return {"statusCode": 202}
```

## Use instead
```python
from concurrent.futures import ThreadPoolExecutor

EXECUTOR = ThreadPoolExecutor(max_workers=4)

def lambda_handler(event, context):
    future = EXECUTOR.submit(upload, event["body"])
    future.result()
    return {"statusCode": 202}
```
A Slack Bolt app served by the Lambda adapter (`SlackRequestHandler(app).handle(event,
context)`) answers Slack first and runs its listeners on a thread pool afterwards,
unless the app is built with `App(process_before_response=True)`: without it, the
listener is reported at the `handle` call. The app may be built in this module or in a
module of the project that this one imports (`from slack_app import app`).
pyTelegramBotAPI's `TeleBot` likewise hands each update's handlers to its worker threads
in `process_new_updates` unless it is built with `threaded=False`.

Work collected in a list and waited with `concurrent.futures.wait`, a consumed
`as_completed`, `[f.result() for f in futures]`, `shutdown(wait=True)` or a `with`
block is settled and not reported.

## Fix safety
Waiting for the work before each exit is safe; it re-raises an exception the work
raised, which was silently dropped before. The fix settles what the call returned: a
future gets `result()`, the iterator of `Executor.map`, `imap` or `imap_unordered` is
consumed with `list(...)`, the `AsyncResult` of `apply_async`, `map_async` or
`starmap_async` gets `get()`, and a list (or dict) of futures is waited for element by
element. When the work is bound in a way the fix cannot follow (`a, b = submit(),
submit()`), no fix is offered. For a local executor, the alternative fix turns it into a
`with` block, which waits for all its work.

## References
- [`concurrent.futures`](https://docs.python.org/3/library/concurrent.futures.html)
- [googleapis/google-cloud-python #7620](https://github.com/googleapis/google-cloud-python/issues/7620)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Rule, Settling, WorkKind

FUTURE = WorkKind(
    name="future",
    handle_name="future",
    noun="future",
    submitted_to=(
        ("executor", "submit"),
        ("executor", "map"),
        ("pool", "apply_async"),
        ("pool", "map_async"),
        ("pool", "starmap_async"),
        ("pool", "imap"),
        ("pool", "imap_unordered"),
        ("transfer-manager", "upload"),
        ("transfer-manager", "download"),
        ("transfer-manager", "copy"),
        ("publisher", "publish"),
    ),
    receivers=(
        ("concurrent.futures.ThreadPoolExecutor", "executor"),
        ("concurrent.futures.ProcessPoolExecutor", "executor"),
        ("concurrent.futures.thread.ThreadPoolExecutor", "executor"),
        ("concurrent.futures.process.ProcessPoolExecutor", "executor"),
        ("multiprocessing.Pool", "pool"),
        ("multiprocessing.pool.Pool", "pool"),
        ("multiprocessing.pool.ThreadPool", "pool"),
        ("multiprocessing.dummy.Pool", "pool"),
        ("s3transfer.manager.TransferManager", "transfer-manager"),
        ("google.cloud.pubsub_v1.PublisherClient", "publisher"),
        ("google.cloud.pubsub.PublisherClient", "publisher"),
    ),
    settle_methods=frozenset({"result", "exception", "get", "wait"}),
    settle_functions=frozenset({"concurrent.futures.wait", "concurrent.futures.as_completed"}),
    receiver_settles=frozenset({"shutdown", "join"}),
    with_settles=True,
    awaitable=True,
    settle_template="{handle}.result()",
    settle_title="Wait for the result",
    settlings=(
        *(Settling(method, "list({handle})", "Consume the result iterator", handle_name="results")
          for method in ("map", "imap", "imap_unordered")),
        *(Settling(method, "{handle}.get()", "Wait for the result") for method in ("apply_async", "map_async", "starmap_async")),
    ),
)

PRODUCED_MESSAGE = WorkKind(
    name="message",
    handle_name="message",
    noun="message",
    submitted_to=(("kafka-producer", "send"), ("kafka-producer", "produce")),
    receivers=(
        ("kafka.KafkaProducer", "kafka-producer"),
        ("kafka.producer.KafkaProducer", "kafka-producer"),
        ("confluent_kafka.Producer", "kafka-producer"),
    ),
    settle_methods=frozenset({"get"}),
    receiver_settles=frozenset({"flush"}),
    settle_template="{owner}.flush()",
    settle_title="Flush the producer",
)

BOLT_LISTENERS = WorkKind(
    name="bolt-listeners",
    handle_name="response",
    noun="Slack Bolt listener",
    submitted_to=(("bolt-lambda-adapter", "handle"),),
    receivers=(("slack_bolt.adapter.aws_lambda.SlackRequestHandler", "bolt-lambda-adapter"),
               ("slack_bolt.adapter.aws_lambda.handler.SlackRequestHandler", "bolt-lambda-adapter")),
    disabled_by=(("slack_bolt.App", "process_before_response"), ("slack_bolt.app.App", "process_before_response")),
    settle_title="Run listeners before responding",
)

TELEBOT_HANDLERS = WorkKind(
    name="telebot-handlers",
    handle_name="updates",
    noun="pyTelegramBotAPI handler",
    submitted_to=(("telebot", "process_new_updates"), ("telebot", "process_new_messages")),
    receivers=(("telebot.TeleBot", "telebot"),),
    disabled_by=(("telebot.TeleBot", "threaded=False"),),
    settle_title="Run handlers before returning",
)

RULE = Rule(
    code="EL104",
    name="executor-work-not-waited",
    outcome=Outcome.LEAK,
    severity=Severity.ERROR,
    message="{what} submitted here may still be running when the {entry} {exits}; it resumes in a later invocation",
    kinds=(FUTURE, PRODUCED_MESSAGE, BOLT_LISTENERS, TELEBOT_HANDLERS),
    declared_work="future",
)
