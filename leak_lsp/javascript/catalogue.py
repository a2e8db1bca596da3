"""The Node.js APIs the JavaScript front-end knows, as data (see /docs/architecture.md).

A call is looked up by its *qualified* name: a global (``setTimeout``), or a module
export as imported (``child_process.spawn``, ``timers/promises.setTimeout``). A new API
is one entry here, not a branch in the lowering. Facts: NODE.md §1.5.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JsKind:
    """One kind of pending work in a Node process, and the rule reported when it leaks."""

    name: str
    noun: str
    code: str  # reported when the work outlives a return, a throw or the end of the handler
    handle: str  # the variable name a fix binds unnamed work to
    settle: str  # the statement a fix inserts, ``{handle}`` is the work's name
    settle_title: str


TIMER = JsKind("timer", "timer", "EL102", "timer", "clearTimeout({handle});", "Clear the timer")
INTERVAL = JsKind("interval", "interval timer", "EL102", "interval", "clearInterval({handle});", "Clear the interval")
PROMISE = JsKind("promise", "promise", "EL106", "pending", "await {handle};", "Await the promise")
PROCESS = JsKind("process", "child process", "EL105", "child",
                 "await new Promise((resolve) => {handle}.once('close', resolve));", "Wait for the child process")
WORKER = JsKind("worker", "worker thread", "EL101", "worker", "await {handle}.terminate();", "Terminate the worker")
STREAM = JsKind("stream", "stream", "EL106", "stream", "await finished({handle});", "Wait for the stream")
BUFFER = JsKind("buffer", "telemetry buffer", "EL109", "buffer", "await {handle};", "Flush the buffer")
REQUEST = JsKind("request", "HTTP request", "EL106", "request",
                 "await new Promise((resolve) => {handle}.once('close', resolve));", "Wait for the request")
OPERATION = JsKind("operation", "callback operation", "EL106", "operation", "", "")
BROWSER = JsKind("browser", "browser process", "EL105", "browser", "await {handle}.close();", "Close the browser")
# A listen stream (Firestore ``onSnapshot``) that stays open until the function it returned is called. No fix:
# stopping it at once drops its snapshots; reading once (``await query.get()``) is a rewrite.
LISTENER = JsKind("listener", "snapshot listener", "EL106", "unsubscribe", "", "")

# Promises a callback starts and whoever runs it drops (``forEach``, a ``.then`` callback that does not return
# them). No fix at the call: awaiting ``forEach`` or the chain waits for nothing more; the fix is in the callback.
FORGOTTEN = JsKind("forgotten", "promise", "EL106", "pending", "", "")

KINDS = {kind.name: kind for kind in (TIMER, INTERVAL, PROMISE, PROCESS, WORKER, STREAM, BUFFER, REQUEST, OPERATION,
                                      BROWSER, LISTENER, FORGOTTEN)}
# Kinds of work stopped by calling the function their start returned (``const stop = q.onSnapshot(f); stop()``).
STOPPED_BY_CALL = frozenset({"listener"})

# Calls whose *awaited* result is work: ``const browser = await puppeteer.launch()`` is a running Chromium
# process until ``browser.close()``. Qualified name -> kind.
LAUNCHES: dict[str, str] = {
    "puppeteer.launch": "browser", "puppeteer-core.launch": "browser", "chrome-aws-lambda.puppeteer.launch": "browser",
    "playwright.chromium.launch": "browser", "playwright.firefox.launch": "browser", "playwright.webkit.launch": "browser",
    "playwright-core.chromium.launch": "browser", "playwright-chromium.chromium.launch": "browser",
    "playwright-aws-lambda.launchChromium": "browser",
}  # fmt: skip

# Calls that start work: qualified name -> kind. ``new X()`` is looked up as ``new X``.
STARTS: dict[str, str] = {
    "setTimeout": "timer", "setInterval": "interval", "global.setTimeout": "timer", "globalThis.setTimeout": "timer",
    "global.setInterval": "interval", "globalThis.setInterval": "interval",
    "timers.setTimeout": "timer", "timers.setInterval": "interval",
    "timers/promises.setTimeout": "promise", "timers/promises.setImmediate": "promise",
    "fetch": "promise", "globalThis.fetch": "promise", "node-fetch": "promise", "axios": "promise",
    "axios.get": "promise", "axios.post": "promise", "axios.put": "promise", "axios.delete": "promise",
    "child_process.spawn": "process", "child_process.exec": "process", "child_process.execFile": "process",
    "child_process.fork": "process",
    "new worker_threads.Worker": "worker",
    "stream.pipeline": "stream",
    "stream/promises.pipeline": "promise", "stream/promises.finished": "promise",
    "fs/promises.*": "promise", "fs.promises.*": "promise", "dns/promises.*": "promise",
    "new Promise": "promise",
    "http.request": "request", "http.get": "request", "https.request": "request", "https.get": "request",
    "@sendgrid/mail.send": "promise", "@sendgrid/mail.sendMultiple": "promise",
    "got": "promise", "got.get": "promise", "got.post": "promise", "superagent.get": "promise", "superagent.post": "promise",
    "fs.readFile": "operation", "fs.writeFile": "operation", "fs.appendFile": "operation", "fs.unlink": "operation",
    "fs.mkdir": "operation", "fs.rm": "operation", "fs.copyFile": "operation", "fs.rename": "operation",
    "dns.lookup": "operation", "zlib.gzip": "operation", "crypto.pbkdf2": "operation", "crypto.scrypt": "operation",
}  # fmt: skip
# Methods whose call starts work whatever the receiver: AWS SDK v2's ``request.promise()``, ``a.pipe(b)``.
STARTING_METHODS: dict[str, str] = {"promise": "promise", "pipe": "stream"}
# Methods that wait for an event of their receiver: in a promise executor, the promise waits for the receiver.
SUBSCRIBING_METHODS = frozenset({"on", "once", "addListener", "addEventListener"})
# Only these events mean the receiver's work is over (``'message'`` or ``'data'`` do not).
ENDING_EVENTS = frozenset({"exit", "close", "finish", "end"})

# Calls that settle the work their arguments hold: qualified name -> kinds (None: any).
SETTLES_ARGUMENTS: dict[str, frozenset[str] | None] = {
    "clearTimeout": frozenset({"timer", "interval"}), "clearInterval": frozenset({"timer", "interval"}),
    "timers.clearTimeout": frozenset({"timer", "interval"}), "timers.clearInterval": frozenset({"timer", "interval"}),
    "@vercel/functions.waitUntil": None,  # the platform keeps the function alive until the promise settles
}  # fmt: skip
# Methods handing their argument to the platform, which waits for it before ending the invocation
# (Netlify Functions 2.0's ``context.waitUntil(promise)``; Vercel's and Cloudflare's the same).
HANDING_OFF_METHODS = frozenset({"waitUntil"})

# Calls whose result is a promise of the work their arguments hold (await it: settled).
# ``const run = util.promisify(exec)`` at module level: ``run(...)`` returns a promise.
PROMISE_FACTORIES = frozenset({"util.promisify", "promisify"})
PROMISE_OF_ARGUMENTS = frozenset({
    "Promise.all", "Promise.allSettled", "Promise.any", "events.once", "stream/promises.finished",
    "util.promisify", "Promise.resolve",
})  # fmt: skip
# ``const done = events.once(emitter, 'drained')``: awaiting ``done`` later waits for work the emitter got meanwhile.
EVENT_WAITERS = frozenset({"events.once"})
# ``Promise.race`` settles when one element does: the timeout timer of the other stays armed.
RACES = frozenset({"Promise.race"})

# Methods whose result is a promise of their receiver's work.
CHAIN_METHODS = frozenset({"then", "catch", "finally"})
# Methods that settle their receiver's work (``worker.terminate()``; ``child.kill()`` ends it).
SETTLING_METHODS: dict[str, frozenset[str]] = {
    "terminate": frozenset({"worker"}), "kill": frozenset({"process"}), "destroy": frozenset({"stream"}),
    "close": frozenset({"stream", "browser"}),
}  # fmt: skip
# Array methods that collect their arguments into the receiver.
COLLECTING_METHODS = frozenset({"push", "unshift", "add", "set", "concat"})
# Array methods that run a callback per element: an async callback makes a promise per element.
MAPPING_METHODS = frozenset({"map", "flatMap"})
FIRE_AND_FORGET_METHODS = frozenset({"forEach"})

# Not work for the invocation: they run before the response (or in the runtime's tail).
# (An async callback given to them still starts work that outlives the invocation: NODE.md §1.5.)
HARMLESS = frozenset({"process.nextTick", "queueMicrotask", "setImmediate", "global.setImmediate"})

# Clients whose reference chains end in requests: ``db.collection("c").doc(id).set(data)`` is a promise
# when ``db`` (or a reference taken from it) comes from one of these factories (a module-level ``a ? f() : stub``
# counts: the client is real on some path). Factory -> its requests.
@dataclass(frozen=True)
class Requests:
    """The methods of a client whose call sends a request, and what the call returns."""

    methods: frozenset[str]
    kind: str = "promise"  # "operation": a callback API (``track(e, props, cb)``) that returns nothing to await
    listeners: frozenset[str] = frozenset()  # methods opening a listener (kind ``listener``) until stopped


FIRESTORE_REQUESTS = Requests(frozenset({"set", "add", "get", "update", "delete", "create"}), listeners=frozenset({"onSnapshot"}))
# firebase-admin messaging, auth and Realtime Database calls are HTTPS requests to Google (promises).
MESSAGING_REQUESTS = Requests(frozenset({
    "send", "sendToDevice", "sendToTopic", "sendToCondition", "sendToDeviceGroup", "sendMulticast", "sendAll",
    "sendEach", "sendEachForMulticast", "subscribeToTopic", "unsubscribeFromTopic",
}))  # fmt: skip
AUTH_REQUESTS = Requests(frozenset({
    "createUser", "updateUser", "deleteUser", "deleteUsers", "setCustomUserClaims", "revokeRefreshTokens",
    "getUser", "getUserByEmail", "getUserByPhoneNumber", "listUsers", "verifyIdToken",
    "generatePasswordResetLink", "generateEmailVerificationLink", "generateSignInWithEmailLink", "importUsers",
}))  # fmt: skip
# (``ref.push()`` is left out: without a value it only makes a key, and its result is often kept, not awaited.)
DATABASE_REQUESTS = Requests(frozenset({"set", "update", "remove", "once", "transaction", "setWithPriority"}))
AZURE_STORAGE_REQUESTS = Requests(frozenset({"sendMessage", "upload", "uploadData", "uploadFile", "uploadStream",
                                             "createIfNotExists", "deleteIfExists", "setMetadata"}))
TWILIO_REQUESTS = Requests(frozenset({"create"}))  # ``client.messages.create(...)``, ``client.calls.create(...)``
PUBSUB_REQUESTS = Requests(frozenset({"publish", "publishMessage", "publishJSON"}))
STORAGE_REQUESTS = Requests(frozenset({"save", "upload", "download", "delete", "copy", "move", "makePublic",
                                       "setMetadata"}))
BIGQUERY_REQUESTS = Requests(frozenset({"insert", "query", "createQueryJob", "load"}))
# SQL clients: a query is a round trip to the server (pg's ``query`` without a callback, and mysql2/promise's,
# return its promise). A pool or connection kept open is not work by itself (NODE.md §1.5).
SQL_REQUESTS = Requests(frozenset({"query", "execute"}))
# Redis commands (ioredis, node-redis v4 in either spelling) return the promise of the server's reply.
REDIS_REQUESTS = Requests(frozenset({
    "set", "setex", "setnx", "mset", "mSet", "get", "mget", "mGet", "del", "publish", "incr", "incrby", "incrBy",
    "decr", "expire", "hset", "hSet", "hmset", "hget", "hGet", "hgetall", "hGetAll", "hdel", "hDel", "lpush", "lPush",
    "rpush", "rPush", "sadd", "sAdd", "srem", "sRem", "zadd", "zAdd", "xadd", "xAdd", "eval", "exec",
}))  # fmt: skip
DATA_CLIENTS: dict[str, Requests] = {
    "firebase-admin.firestore": FIRESTORE_REQUESTS, "firebase-admin/firestore.getFirestore": FIRESTORE_REQUESTS,
    "new @google-cloud/firestore.Firestore": FIRESTORE_REQUESTS, "new @google-cloud/firestore": FIRESTORE_REQUESTS,
    "firebase-admin.messaging": MESSAGING_REQUESTS, "firebase-admin/messaging.getMessaging": MESSAGING_REQUESTS,
    "firebase-admin.auth": AUTH_REQUESTS, "firebase-admin/auth.getAuth": AUTH_REQUESTS,
    "firebase-admin.database": DATABASE_REQUESTS, "firebase-admin/database.getDatabase": DATABASE_REQUESTS,
    # kafkajs: ``new Kafka(config).producer()``; sending is a request to the brokers.
    "new kafkajs.Kafka": Requests(frozenset({"send", "sendBatch"})),
    # mongoose models run these at once (a ``find``/``updateOne`` query runs only when awaited, then'd or exec'd).
    "mongoose.model": Requests(frozenset({"create", "insertMany", "bulkWrite", "exec"})),
    # mixpanel (Node): ``track`` sends an HTTPS request at once and reports through an optional callback.
    "mixpanel.init": Requests(frozenset({"track", "import", "alias", "track_batch", "import_batch"}), "operation"),
    # Messages sent from handlers: mail (nodemailer, whose ``sendMail`` without a callback returns a promise),
    # SMS (twilio, ``require('twilio')(sid, token)``), Slack.
    "nodemailer.createTransport": Requests(frozenset({"sendMail"})),
    "twilio": TWILIO_REQUESTS, "new twilio.Twilio": TWILIO_REQUESTS, "new twilio": TWILIO_REQUESTS,
    "new @slack/web-api.WebClient": Requests(frozenset({"postMessage", "postEphemeral", "scheduleMessage", "uploadV2"})),
    # Azure SDK clients (storage queues and blobs, Cosmos DB, Service Bus): each call below is a request.
    **dict.fromkeys(("@azure/storage-queue.QueueServiceClient.fromConnectionString", "new @azure/storage-queue.QueueServiceClient",
                     "new @azure/storage-queue.QueueClient", "@azure/storage-blob.BlobServiceClient.fromConnectionString",
                     "new @azure/storage-blob.BlobServiceClient", "new @azure/storage-blob.ContainerClient",
                     "new @azure/storage-blob.BlockBlobClient"), AZURE_STORAGE_REQUESTS),
    "new @azure/cosmos.CosmosClient": Requests(frozenset({"create", "upsert", "replace", "patch", "delete"})),
    "new @azure/service-bus.ServiceBusClient": Requests(frozenset({"sendMessages", "scheduleMessages"})),
    **dict.fromkeys(("new pg.Pool", "new pg.Client", "mysql2/promise.createConnection", "mysql2/promise.createPool"),
                    SQL_REQUESTS),
    **dict.fromkeys(("new ioredis", "new ioredis.Redis", "new ioredis.Cluster", "redis.createClient",
                     "redis.createCluster"), REDIS_REQUESTS),
    # @aws-sdk/lib-storage: ``new Upload({...})`` only plans the upload, ``upload.done()`` runs it.
    "new @aws-sdk/lib-storage.Upload": Requests(frozenset({"done"})),
    # Google Cloud client libraries (the factory called without ``new`` is their pre-1.0 API).
    **dict.fromkeys(("new @google-cloud/pubsub.PubSub", "@google-cloud/pubsub.PubSub", "new @google-cloud/pubsub",
                     "@google-cloud/pubsub"), PUBSUB_REQUESTS),
    **dict.fromkeys(("new @google-cloud/storage.Storage", "@google-cloud/storage.Storage", "new @google-cloud/storage"),
                    STORAGE_REQUESTS),
    **dict.fromkeys(("new @google-cloud/bigquery.BigQuery", "@google-cloud/bigquery.BigQuery", "new @google-cloud/bigquery",
                     "@google-cloud/bigquery"), BIGQUERY_REQUESTS),
}  # fmt: skip

# Accessors whose object batches a client's writes locally: only these of its methods send
# (``const batch = db.batch(); batch.set(ref, d); await batch.commit()``).
CLIENT_ACCESSORS: dict[str, Requests] = {"batch": Requests(frozenset({"commit"}))}

# A trigger's event holds references to what it is about (v2 ``event.data.ref``, v1 ``snapshot.ref``,
# ``change.after.ref``): a segment of the trigger's registering call names the service -> their requests.
TRIGGER_REFERENCES: dict[str, Requests] = {"firestore": FIRESTORE_REQUESTS, "database": DATABASE_REQUESTS}
REFERENCE_PROPERTIES = frozenset({"ref"})
# Documents read from these clients (``snap.forEach(doc => doc.ref.update(d))``) carry the same references,
# to Firestore or the Realtime Database: where no trigger says which, either one's requests.
DOCUMENT_CLIENTS = ("firebase-admin.firestore", "firebase-admin/firestore.getFirestore",
                    "firebase-admin/database.getDatabase", "new @google-cloud/firestore.Firestore")
DOCUMENT_REFERENCES = Requests(FIRESTORE_REQUESTS.methods | DATABASE_REQUESTS.methods, listeners=FIRESTORE_REQUESTS.listeners)

# Calls whose result stands for the module in its service accessors: ``const app = admin.initializeApp();
# app.firestore()`` is ``admin.firestore()``. Qualified call -> the module.
MODULE_APPS: dict[str, str] = {
    "firebase-admin.initializeApp": "firebase-admin", "firebase-admin/app.initializeApp": "firebase-admin",
    "firebase-admin.app": "firebase-admin", "firebase-admin/app.getApp": "firebase-admin",
}  # fmt: skip

# Express apps served as an HTTP function (``functions.https.onRequest(app)``): each route's callback is a handler.
APP_FACTORIES = frozenset({"express", "express.Router"})
# Adapters that serve an Express app as a Lambda handler: the invocation ends with the HTTP response.
APP_ADAPTERS = frozenset({"serverless-http", "serverless-http.default", "@vendia/serverless-express",
                          "@codegenie/serverless-express", "aws-serverless-express.createServer"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "all", "use"})

# AWS SDK v3: ``client.send(command)`` is a request when the client was made by ``new XxxClient(...)``.
REQUEST_METHODS = frozenset({"send"})
CLIENT_SUFFIX = "Client"


@dataclass(frozen=True)
class Buffer:
    """A telemetry or logging client that buffers every invocation's data and sends it later."""

    vendor: str
    created_by: frozenset[str]  # qualified constructors/factories, at module level
    filled_by: frozenset[str]  # methods that add an invocation's data
    flushed_by: frozenset[str]  # methods that send it (their promise must be awaited)
    flush_fix: str  # the statement a fix inserts; ``{owner}`` is the client's name
    buffered_if: tuple[str, ...] = ()  # text in the creating call that makes it buffer (empty: always)


BUFFERS = (
    Buffer("pino", frozenset({"pino"}), frozenset({"info", "warn", "error", "debug", "fatal", "trace"}),
           frozenset({"flush"}), "await new Promise((resolve) => {owner}.flush(resolve));",
           ("transport", "sync: false", "destination(")),  # the default stdout destination writes synchronously
    Buffer("winston", frozenset({"winston.createLogger"}), frozenset({"info", "warn", "error", "debug", "log"}),
           frozenset({"end", "close"}), "await new Promise((resolve) => {{ {owner}.on('finish', resolve); {owner}.end(); }});",
           ("Http(", "CloudWatch", "Loggly", "Logtail", "Papertrail", "Elasticsearch")),  # Console writes at once
    Buffer("Sentry", frozenset({"@sentry/node.*", "@sentry/serverless.*", "@sentry/aws-serverless.*",
                                "@sentry/google-cloud-serverless.*"}),
           frozenset({"captureException", "captureMessage", "captureEvent"}), frozenset({"flush", "close"}),
           "await {owner}.flush(2000);"),
    Buffer("OpenTelemetry", frozenset({"new @opentelemetry/sdk-trace-node.NodeTracerProvider",
                                       "new @opentelemetry/sdk-trace-base.BasicTracerProvider",
                                       "new @opentelemetry/sdk-metrics.MeterProvider",
                                       "new @opentelemetry/sdk-logs.LoggerProvider"}),
           frozenset({"startSpan", "startActiveSpan", "getTracer", "getMeter"}), frozenset({"forceFlush", "shutdown"}),
           "await {owner}.forceFlush();"),
    # Segment's legacy Node client queues events and sends them from a flush timer (flushAt/flushInterval).
    # (@segment/analytics-node, its successor, the same; ``closeAndFlush()`` returns the promise to await.)
    Buffer("Segment", frozenset({"new analytics-node", "new @segment/analytics-node.Analytics"}),
           frozenset({"track", "identify", "page", "screen", "group", "alias"}),
           frozenset({"flush", "closeAndFlush"}), "await {owner}.flush();"),
    # posthog-node queues events the same way (flushAt 20, flushInterval 10 s by default); in its 2.x and 3.x
    # ``shutdown()`` starts the flush and returns nothing to await, ``shutdownAsync()`` the promise.
    Buffer("PostHog", frozenset({"new posthog-node.PostHog", "new posthog-node"}),
           frozenset({"capture", "identify", "alias", "groupIdentify"}), frozenset({"flush", "shutdown", "shutdownAsync"}),
           "await {owner}.flush();"),
    Buffer("Datadog", frozenset({"datadog-lambda-js.*", "hot-shots", "hot-shots.StatsD"}),
           frozenset({"sendDistributionMetric", "increment", "gauge", "histogram", "distribution"}),
           frozenset({"flush", "close"}), "await new Promise((resolve) => {owner}.close(resolve));"),
)

# The buffers a whole module is (``Sentry.captureException``): the qualified prefix of their calls.
MODULE_BUFFERS = tuple((pattern[:-1], buffer) for buffer in BUFFERS for pattern in sorted(buffer.created_by)
                       if pattern.endswith(".*"))
MODULE_BUFFER_PREFIXES = tuple(prefix for prefix, _ in MODULE_BUFFERS)

# Wrappers that flush telemetry after every invocation (NODE.md §1.5: Sentry.wrapHandler waits
# up to flushTimeout; OTel's Lambda instrumentation force-flushes; datadog() flushes metrics).
FLUSHING_WRAPPERS = frozenset({"wrapHandler", "datadog", "wrap"})
# Methods of a wrapped handler that return the same handler (middy's ``middy(fn).use(mw).before(f)``).
WRAPPER_CHAIN_METHODS = frozenset({"use", "before", "after", "onError"})
STREAMING_WRAPPERS = frozenset({"awslambda.streamifyResponse", "streamifyResponse"})
# Calls that run their last function argument as part of the caller, before its own work goes on:
# the ``cors`` middleware calls its callback once the headers are set (``return cors(req, res, () => {...})``).
INLINE_CALLERS = frozenset({"cors"})
