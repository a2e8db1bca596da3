"""## What it does
Checks for handlers that leave telemetry buffered when they return: spans, metrics and
logs held by OpenTelemetry's batching processors (`BatchSpanProcessor`,
`PeriodicExportingMetricReader`, `BatchLogRecordProcessor`) created at import time,
events captured with `sentry_sdk.capture_*`, Datadog `ThreadStats` metrics, Bugsnag events (`bugsnag.notify`, delivered in full only under
`@bugsnag.aws_lambda_handler` or with `bugsnag.configure(asynchronous=False)`), Rollbar reports (`rollbar.report_*`,
settled by `rollbar.wait()`), PostHog and Segment events (`posthog.capture`,
`analytics.track`..., settled by their `flush()`), events held by Mixpanel's
`BufferedConsumer` (the default `Consumer` sends synchronously and is not reported) and by
an Amplitude client (`Amplitude(...)`, settled by `flush()` or `shutdown()`), and log records
queued by watchtower's `CloudWatchLogHandler` (sent every 60 seconds by default), and events of a
module-level raven `Client` (Sentry's older SDK) built with its default threaded transport (raven has
no flush: build the client with `transport=HTTPTransport`, or use `raven.contrib.awslambda.LambdaClient`),
with no flush before the handler returns. Projects declare their own SDKs as `buffer` models in `[tool.leak-lsp] models`.
In JavaScript and TypeScript: pino and winston transports, Sentry, OpenTelemetry providers, Datadog
metrics, and the module-level clients of Segment (`new Analytics(key)` from `analytics-node`) and
PostHog (`new PostHog(key)`), whose `track`/`capture` calls are sent from a flush timer.

## Why is this bad?
These SDKs export from a background thread on a timer. When the handler returns, the
container is frozen with the data still in the buffer: it is sent during a later
invocation (with that invocation's timing and resources), or lost when the environment
is recycled. Traces of the last requests before a scale-in never arrive. Vendor wrappers
flush for you (`AwsLambdaInstrumentor`, Sentry's `AwsLambdaIntegration`,
`serverless_function`, `@rollbar.lambda_function`, `@bugsnag.aws_lambda_handler`), and modules that import or apply
them are not reported.

## Example
```python
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

provider = TracerProvider()
provider.add_span_processor(BatchSpanProcessor(exporter))

def lambda_handler(event, context):
    with tracer.start_as_current_span("handle"):
        return process(event)
```
```javascript
const analytics = new Analytics(process.env.SEGMENT_KEY);

exports.handler = async (event) => {
  analytics.track({ anonymousId: event.id, event: "viewed" });
  return { statusCode: 200 };
};
```

## Use instead
```python
def lambda_handler(event, context):
    try:
        with tracer.start_as_current_span("handle"):
            return process(event)
    finally:
        provider.force_flush()
```
```javascript
exports.handler = async (event) => {
  analytics.track({ anonymousId: event.id, event: "viewed" });
  await analytics.flush();
  return { statusCode: 200 };
};
```

## Fix safety
Flushing before each exit is safe: it only sends what was already recorded, inside the
invocation that recorded it. It adds the export's latency to the invocation.

## References
- [OpenTelemetry Lambda: force flush](https://opentelemetry.io/docs/faas/lambda-manual-instrument/)
- [Sentry: `sentry_sdk.flush`](https://docs.sentry.io/platforms/python/configuration/draining/)
"""

from leak_lsp.analysis.model import Outcome, Severity
from leak_lsp.rules.rule import Alarm, Rule, WorkKind

OTEL_BUFFER = WorkKind(
    name="otel-buffer",
    noun="telemetry buffer",
    buffers=(
        "opentelemetry.sdk.trace.export.BatchSpanProcessor",
        "opentelemetry.sdk.metrics.export.PeriodicExportingMetricReader",
        "opentelemetry.sdk._logs.export.BatchLogRecordProcessor",
    ),
    buffer_slot="opentelemetry",
    flushed_by=frozenset({"force_flush"}),
    settle_methods=frozenset({"shutdown"}),
    wrapped_by=("opentelemetry.instrumentation.aws_lambda.AwsLambdaInstrumentor",),
    settle_template="{handle}.force_flush()",
    settle_title="Flush the telemetry",
)

SENTRY_EVENT = WorkKind(
    name="sentry-event",
    noun="Sentry event",
    alarms=tuple(
        Alarm(arm=f"sentry_sdk.{capture}", slot="sentry_sdk", seconds_argument=None, disarm="{sentry_sdk.flush}()",
              cancel="sentry_sdk.flush")
        for capture in ("capture_exception", "capture_message", "capture_event")
    ),
    buffer_slot="sentry_sdk",
    flushed_by=frozenset({"flush"}),  # ``sentry_sdk.get_client().flush()``
    wrapped_by=(
        "sentry_sdk.integrations.aws_lambda.AwsLambdaIntegration",
        "sentry_sdk.integrations.gcp.GcpIntegration",
        "sentry_sdk.integrations.serverless.serverless_function",
    ),
    settle_title="Flush Sentry",
)

def _sdk_alarms(module: str, sends: tuple[str, ...], flushes: tuple[str, ...]) -> tuple[Alarm, ...]:
    """An SDK whose module-level calls queue data for a background thread, drained by its flush calls."""
    return tuple(Alarm(arm=f"{module}.{send}", slot=module, seconds_argument=None, disarm=f"{{{module}.{flushes[0]}}}()",
                       cancel=f"{module}.{flush}") for send in sends for flush in flushes)


DATADOG_THREADSTATS = WorkKind(
    name="datadog-threadstats",
    noun="Datadog metrics buffer",
    buffers=("datadog.ThreadStats", "datadog.threadstats.ThreadStats", "datadog.threadstats.base.ThreadStats"),
    buffer_slot="datadog",
    flushed_by=frozenset({"flush"}),
    wrapped_by=("datadog_lambda.wrapper.datadog_lambda_wrapper", "datadog_lambda.wrapper.datadog_lambda_wrapper",
                "datadog_lambda.datadog_lambda_wrapper"),
    settle_template="{handle}.flush()",
    settle_title="Flush the metrics",
)

ROLLBAR_REPORT = WorkKind(
    name="rollbar-report",
    noun="Rollbar report",
    alarms=_sdk_alarms("rollbar", ("report_exc_info", "report_message"), ("wait",)),
    wrapped_by=("rollbar.lambda_function",),
    settle_title="Wait for Rollbar",
)

BUGSNAG_EVENT = WorkKind(
    name="bugsnag-event",
    noun="Bugsnag event",
    # delivered from a thread; only the Lambda decorator waits for delivery (no public flush: no automatic fix)
    alarms=(Alarm(arm="bugsnag.notify", slot="bugsnag", seconds_argument=None, disarm=""),),
    wrapped_by=("bugsnag.aws_lambda_handler",),
    disabled_by=(("bugsnag.configure", "asynchronous=False"),),
)

POSTHOG_EVENT = WorkKind(
    name="posthog-event",
    noun="PostHog event",
    alarms=_sdk_alarms("posthog", ("capture", "identify", "alias", "group_identify", "set", "set_once"),
                       ("flush", "shutdown")),
    settle_title="Flush PostHog",
)

SEGMENT_EVENT = WorkKind(
    name="segment-event",
    noun="Segment event",
    alarms=(*_sdk_alarms("analytics", ("track", "identify", "page", "screen", "group", "alias"), ("flush", "shutdown")),
            *_sdk_alarms("segment.analytics", ("track", "identify", "page", "screen", "group", "alias"),
                         ("flush", "shutdown"))),
    settle_title="Flush Segment",
)

MIXPANEL_BUFFER = WorkKind(
    name="mixpanel-buffer",
    noun="Mixpanel buffered consumer",
    # the default ``Consumer`` sends synchronously; only ``BufferedConsumer`` holds events until ``flush()``
    buffers=("mixpanel.BufferedConsumer",),
    buffer_slot="mixpanel",
    flushed_by=frozenset({"flush"}),
    settle_template="{handle}.flush()",
    settle_title="Flush Mixpanel",
)

AMPLITUDE_BUFFER = WorkKind(
    name="amplitude-buffer",
    noun="Amplitude client",
    buffers=("amplitude.Amplitude", "amplitude.client.Amplitude"),
    buffer_slot="amplitude",
    flushed_by=frozenset({"flush"}),
    settle_methods=frozenset({"shutdown"}),
    settle_template="{handle}.flush()",
    settle_title="Flush Amplitude",
)

_RAVEN_CLIENTS = ("raven.Client", "raven.base.Client")
_RAVEN_SYNCHRONOUS = ("raven.transport.http.HTTPTransport", "raven.transport.HTTPTransport",
                      "raven.transport.requests.RequestsHTTPTransport", "raven.transport.RequestsHTTPTransport")

RAVEN_CLIENT = WorkKind(
    name="raven-client",
    noun="raven client",
    # the default transport queues events for a worker thread; raven has no flush, only a synchronous transport
    buffers=_RAVEN_CLIENTS,
    buffer_slot="raven",
    wrapped_by=("raven.contrib.awslambda.LambdaClient", "raven_python_lambda.RavenLambdaWrapper"),
    disabled_by=tuple((client, f"transport={transport}") for client in _RAVEN_CLIENTS for transport in _RAVEN_SYNCHRONOUS),
)

WATCHTOWER_BUFFER = WorkKind(
    name="watchtower-buffer",
    noun="CloudWatch log handler",
    # log records queue for a thread that sends every ``send_interval`` seconds (60 by default)
    buffers=("watchtower.CloudWatchLogHandler",),
    buffer_slot="watchtower",
    flushed_by=frozenset({"flush"}),
    settle_methods=frozenset({"close"}),
    settle_template="{handle}.flush()",
    settle_title="Flush the log handler",
)

RULE = Rule(
    code="EL109",
    name="telemetry-not-flushed",
    outcome=Outcome.LEAK,
    severity=Severity.WARNING,
    message="{what} still holds this invocation's data when the {entry} {exits}; it is sent in a later invocation or lost",
    declared_work="buffer",
    kinds=(OTEL_BUFFER, SENTRY_EVENT, DATADOG_THREADSTATS, ROLLBAR_REPORT, BUGSNAG_EVENT, POSTHOG_EVENT, SEGMENT_EVENT,
           MIXPANEL_BUFFER, AMPLITUDE_BUFFER, WATCHTOWER_BUFFER, RAVEN_CLIENT),
)
