// The emulated Node.js execution environment of `leak-lsp reproduce`: loads the handler's module
// once (init), then runs invocations as the chosen runtime does, and attributes every async
// resource (timer, promise continuation, child process, worker, I/O request) to the invocation
// that created it. Speaks the protocol of leak_lsp/runtime/child.py: commands arrive as JSON lines
// on one pipe, messages (ready, failed, event, returned, crashed) leave as JSON lines on another.
// Node built-ins only: it runs inside the user's environment.

import { createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RUNNER = fileURLToPath(import.meta.url);
const RUNTIME = -1; // owner of the runner's own resources: never reported
const INIT = 0; // owner of work started while the module loads: not an invocation's leak
const ENDED = Number.MAX_SAFE_INTEGER;
// Settled when their callback first runs (a timer that fires, a request that completes, an exit), because
// Node runs destroy hooks late. Not these: a parser or zlib stream calls back several times.
const SETTLED_BY_MANY_CALLBACKS = new Set(['HTTPCLIENTREQUEST', 'ZLIB']);
const CLEARABLE = new Set(['Timeout', 'Immediate']); // clearTimeout and friends set _destroyed at once
const KEPT = new Set(['PROCESSWRAP', 'ZLIB', ...CLEARABLE]); // resources whose state is read later (pid, _destroyed, stream)
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const MAX_TEXT = 160;
// Resources that are work until they are destroyed; handles such as sockets are not work by themselves.
const PENDING_TYPES = new Set([
  'Timeout', 'Immediate', 'PROCESSWRAP', 'WORKER', 'FSREQCALLBACK', 'FSREQPROMISE', 'GETADDRINFOREQWRAP',
  'GETNAMEINFOREQWRAP', 'QUERYWRAP', 'TCPCONNECTWRAP', 'PIPECONNECTWRAP', 'WRITEWRAP', 'SHUTDOWNWRAP',
  'HTTPCLIENTREQUEST', 'ZLIB', 'SIGNREQUEST', 'PBKDF2REQUEST', 'RANDOMBYTESREQUEST', 'SCRYPTREQUEST',
]);
// Callbacks of these are work running; those of handles (sockets, pipes, message ports) are events on a
// connection: not reported themselves, nor is what they schedule (a stream closing after the work ended).
const REPORTED_TYPES = new Set([...PENDING_TYPES, 'TickObject', 'Microtask', 'PROMISE']);

const options = parseArguments(process.argv.slice(2));

// ------------------------------------------------------------------ phases and attribution

let phase = INIT; // 0 init, 2k-1 invocation k, 2k idle after invocation k (runtimes that never freeze)
let owner = RUNTIME; // the phase whose work is running now
let running = null; // the tracked resource whose callback is running now
const ownerStack = [];
const works = new Map(); // async id -> work

function describePhase(value) {
  if (value >= ENDED) return 'after the last invocation';
  if (value === INIT) return 'init';
  return value % 2 ? `invocation ${(value + 1) / 2}` : `idle after invocation ${value / 2}`;
}

function asOwner(value, action) {
  const previous = owner;
  owner = value;
  try {
    return action();
  } finally {
    owner = previous;
  }
}

function short(text) {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 3)}...`;
}

/** The call sites of the stack below ``caller``, at most ``limit`` of them. */
function callSites(caller, limit) {
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.prepareStackTrace = (holder, sites) => sites;
  Error.stackTraceLimit = limit;
  const holder = {};
  Error.captureStackTrace(holder, caller);
  const sites = holder.stack;
  Error.prepareStackTrace = prepareStackTrace;
  Error.stackTraceLimit = stackTraceLimit;
  return sites;
}

/** The first frame of the user's code on the stack (Node's own and the runner's are skipped). */
function userSite() {
  for (const site of callSites(userSite, 40)) {
    let file = site.getFileName();
    if (!file || file.startsWith('node:') || !(file.startsWith('/') || file.startsWith('file://'))) continue;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file !== RUNNER) return `${file}:${site.getLineNumber()}`;
  }
  return null;
}

// Timers Node's own connection code arms for itself (undici's fetch clock and header/body/keep-alive timeouts,
// an HTTP agent's idle socket timeout) are part of the connection, like its socket: not the user's work. The
// request in flight on the connection still is (its promise continuation or callback).
const TIMER_MACHINERY = /^node:(internal\/async_hooks|internal\/timers|timers)$/;
const CONNECTION_CODE = /^node:(internal\/deps\/|net$|tls$|_tls_wrap$|_http_\w+$|internal\/stream_base_commons$|internal\/http)/;

/** Whether a timer being created was armed by Node's connection code rather than by a program. */
function armedByConnection() {
  const creator = callSites(armedByConnection, 12).map((site) => site.getFileName() ?? '')
    .find((file) => file !== import.meta.url && file !== RUNNER && !TIMER_MACHINERY.test(file));
  return creator !== undefined && CONNECTION_CODE.test(creator);
}

function callbackName(callback) {
  return (typeof callback === 'function' && callback.name) || 'anonymous';
}

function describe(type, resource) {
  switch (type) {
    case 'Timeout':
      return `${resource._repeat ? 'setInterval' : 'setTimeout'}(${callbackName(resource._onTimeout)}, ${resource._idleTimeout})`;
    case 'Immediate':
      return `setImmediate(${callbackName(resource._onImmediate)})`;
    case 'TickObject':
      return `process.nextTick(${callbackName(resource.callback)})`;
    case 'Microtask':
      return 'queueMicrotask()';
    case 'PROMISE':
      return 'promise continuation';
    case 'PROCESSWRAP':
      return 'child process';
    case 'WORKER':
      return 'worker thread';
    default:
      return `${type} request`;
  }
}

function ranText(work) {
  if (work.type === 'PROMISE') return 'the code after an await (or a then callback) resumed';
  if (work.type === 'PROCESSWRAP' || work.type === 'WORKER') return `a callback of the ${work.what} ran (output, message or exit)`;
  const callee = /\((\w+)/.exec(work.what);
  return callee === null ? `${work.what} ran` : `${callee[1]}() ran`;
}

function track(id, type, triggerId, resource) {
  const site = userSite() ?? running?.scheduledAt ?? works.get(triggerId)?.scheduledAt ?? 'unknown';
  works.set(id, {
    type, owner, what: short(describe(type, resource)), scheduledAt: site, pending: PENDING_TYPES.has(type),
    // Reported with the callback that created it, not on its own (only its cause's record is kept, not a chain).
    causeReported: running?.owner === owner ? running.reported : null,
    handle: KEPT.has(type) ? new WeakRef(resource) : null, reported: new Set(),
    repeats: type === 'Timeout' && Boolean(resource._repeat),
  });
}

function observe(work, ran = ranText(work)) {
  if (work.owner === INIT || work.owner === phase || phase >= ENDED || work.reported.has(phase)) return;
  work.reported.add(phase);
  if (work.causeReported?.has(phase) || !REPORTED_TYPES.has(work.type)) return;
  send({ message: 'event', ...describeWork(work), outcome: 'leak', ran_in: describePhase(phase), ran });
}

/** A worker thread still running at the freeze is frozen with the process and resumes at the thaw. */
function observeFrozenWorkers() {
  for (const work of works.values()) {
    if (work.type === 'WORKER' && isPending(work)) observe(work, `${work.what} was frozen running and resumes at the thaw`);
  }
}

const KINDS = {
  Timeout: 'timer', Immediate: 'immediate', TickObject: 'tick', Microtask: 'microtask', PROMISE: 'promise',
  PROCESSWRAP: 'process', WORKER: 'worker',
};

function describeWork(work) {
  const data = { kind: KINDS[work.type] ?? 'io', what: work.what, scheduled_at: work.scheduledAt, scheduled_in: describePhase(work.owner) };
  const pid = work.type === 'PROCESSWRAP' ? work.handle?.deref()?.pid : undefined;
  return pid === undefined ? data : { ...data, pid };
}

/** A zlib resource is the stream's engine, not one request: its work is over once the stream is destroyed. */
function zlibStreamDestroyed(engine) {
  const ownerKey = engine && Object.getOwnPropertySymbols(engine).find((key) => key.description === 'owner_symbol');
  return engine === undefined || (ownerKey !== undefined && engine[ownerKey]?.destroyed === true);
}

function isPending(work) {
  if (!work.pending) return false;
  if (work.type === 'ZLIB') return !zlibStreamDestroyed(work.handle.deref());
  if (!CLEARABLE.has(work.type)) return true;
  const resource = work.handle.deref();
  return resource !== undefined && !resource._destroyed;
}

function pendingWork() {
  return [...works.values()].filter((work) => work.owner !== INIT && isPending(work)).map(describeWork);
}

createHook({
  init(id, type, triggerId, resource) {
    if (owner !== RUNTIME && !(type === 'Timeout' && armedByConnection())) track(id, type, triggerId, resource);
  },
  before(id) {
    ownerStack.push([owner, running]);
    running = works.get(id) ?? null;
    owner = running === null ? RUNTIME : running.owner;
    if (running === null) return;
    observe(running);
    if (!running.repeats && !SETTLED_BY_MANY_CALLBACKS.has(running.type)) running.pending = false;
  },
  after() {
    [owner, running] = ownerStack.pop() ?? [RUNTIME, null];
  },
  destroy(id) {
    works.delete(id);
  },
}).enable();

// ------------------------------------------------------------------ the pipes to leak-lsp

function send(message) {
  let data = Buffer.from(`${JSON.stringify(message)}\n`);
  while (data.length > 0) data = data.subarray(fs.writeSync(options.messages, data));
}

let unread = Buffer.alloc(0);

function splitCommand() {
  const end = unread.indexOf(10);
  if (end < 0) return undefined;
  const line = unread.subarray(0, end).toString();
  unread = unread.subarray(end + 1);
  return JSON.parse(line);
}

/** Blocks the whole process, as the Lambda runtime does between its response and the next event. */
function readCommandSync() {
  const chunk = Buffer.alloc(65536);
  for (;;) {
    const command = splitCommand();
    if (command !== undefined) return command;
    const count = fs.readSync(options.commands, chunk, 0, chunk.length, null);
    if (count === 0) return null;
    unread = Buffer.concat([unread, chunk.subarray(0, count)]);
  }
}

/** Keeps the event loop running while it waits, as a worker that is never frozen does. */
function readCommand(then) {
  const command = splitCommand();
  if (command !== undefined) {
    then(command);
    return;
  }
  const chunk = Buffer.alloc(65536);
  fs.read(options.commands, chunk, 0, chunk.length, null, (error, count) => {
    if (error || count === 0) {
      then(null);
      return;
    }
    unread = Buffer.concat([unread, chunk.subarray(0, count)]);
    readCommand(then);
  });
}

function formatError(error) {
  if (error instanceof Error) {
    // Like a Python traceback: where (a syntax error's source line), the user's frames, the message last.
    const lines = String(error.stack ?? '').split('\n');
    const message = `${error.name}: ${error.message}`;
    const frames = lines.filter((line) => line.trim().startsWith('at ') && !line.includes(RUNNER));
    const first = lines.findIndex((line) => line.trim().startsWith('at ') || line.startsWith(message));
    const where = lines.slice(0, first < 0 ? 0 : first).filter((line) => line.trim() !== '' && !line.startsWith(message));
    return [...where, ...frames.map((line) => `  ${line.trim()}`), message].join('\n');
  }
  if (typeof error === 'object' && error !== null) return `Error: ${JSON.stringify(error)}`;
  return `Error: ${String(error)}`;
}

function responseOf(value) {
  try {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  } catch {
    return String(value);
  }
}

// ------------------------------------------------------------------ when each runtime ends an invocation

// One slot, as in the Lambda runtime (BeforeExitListener): the last completion armed replaces the previous one.
let onEmptyLoop = null;
process.on('beforeExit', () => asOwner(RUNTIME, () => {
  const then = onEmptyLoop;
  onEmptyLoop = null;
  if (then !== null) setImmediate(then);
}));

/** Call ``then`` once nothing ref'd is left in the event loop (Node's beforeExit), unless re-armed first. */
function whenLoopEmpty(then) {
  onEmptyLoop = then;
}

/** ``respond`` wrapped so that only its first call counts, as every runtime ignores later completions. */
function firstCallOnly(respond, onFirst = () => {}) {
  let called = false;
  return (error, result) => asOwner(RUNTIME, () => {
    if (called) return;
    called = true;
    onFirst();
    respond(error, result);
  });
}

function lambdaContext(timeout, legacy) {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  const deadline = Date.now() + timeout * 1000;
  const context = {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  if (legacy) context.callbackWaitsForEmptyEventLoop = true;
  return context;
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

function isAsyncFunction(handler) {
  return handler.constructor?.name === 'AsyncFunction';
}

function responseStream() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, encoding, done) {
      chunks.push(Buffer.from(chunk).toString());
      done();
    },
  });
  stream.setContentType = () => {};
  stream.body = () => chunks.join('');
  return stream;
}

/** nodejs18.x-22.x (RIC v3): promise, callback (with callbackWaitsForEmptyEventLoop), context.done, streaming. */
function invokeLambdaV3(handler, event, timeout, respond) {
  const context = lambdaContext(timeout, true);
  if (handler[STREAMING]) {
    streamLambda(handler, event, context, () => (context.callbackWaitsForEmptyEventLoop ? whenLoopEmpty : setImmediate), respond);
    return;
  }
  const post = firstCallOnly(respond, () => { onEmptyLoop = null; });
  let invoked = false; // only the first of callback, done, succeed, fail and the promise counts
  const first = (action) => (...values) => asOwner(RUNTIME, () => {
    if (invoked) return;
    invoked = true;
    action(...values);
  });
  const callback = first((error, result) => {
    if (context.callbackWaitsForEmptyEventLoop) whenLoopEmpty(() => post(error, result));
    else post(error, result);
  });
  const succeed = first((result) => post(null, result));
  const fail = first((error) => post(error ?? new Error('handled')));
  Object.assign(context, { done: first(post), succeed, fail });
  // Neither called back nor settled when the loop empties: null for a plain function, an error for an async one.
  const exit = isAsyncFunction(handler) ? new Error('Runtime.NodeJsExit: Runtime exited without providing a reason') : null;
  whenLoopEmpty(() => post(exit, null));
  let result;
  try {
    result = callAsInvocation(() => handler(event, context, callback));
  } catch (error) {
    callback(error);
    return;
  }
  if (isThenable(result)) result.then(succeed, fail);
}

/** nodejs24.x (RIC v4): the awaited result, then one setImmediate, then the response; no callbacks, no flag. */
function invokeLambdaV4(handler, event, timeout, respond) {
  const context = lambdaContext(timeout, false);
  if (handler[STREAMING]) {
    streamLambda(handler, event, context, () => (then) => then(), respond);
    return;
  }
  settleThen(() => handler(event, context), (error, result) => setImmediate(() => respond(error, result)));
}

function streamLambda(handler, event, context, tail, respond) {
  const stream = responseStream();
  settleThen(() => handler(event, stream, context), (error) => {
    if (error) {
      respond(error);
      return;
    }
    const done = () => tail()(() => respond(null, stream.body()));
    if (stream.writableFinished) done();
    else stream.once('finish', () => asOwner(RUNTIME, done));
  });
}

/** Google Cloud Functions, HTTP: the invocation ends when the response is sent; a returned promise is not awaited. */
function invokeGcfHttp(handler, event, timeout, respond) {
  const finish = firstCallOnly(respond, () => { response.headersSent = true; });
  const response = {
    statusCode: 200,
    headersSent: false,
    status(code) { this.statusCode = code; return this; },
    set() { return this; },
    setHeader() { return this; },
    send(body) { return this.end(body); },
    json(body) { return this.end(body); },
    sendStatus(code) { this.statusCode = code; return this.end(); },
    end(body) { finish(null, body ?? null); return this; },
  };
  const request = { method: 'POST', path: '/', url: '/', headers: {}, query: {}, body: event, get: () => undefined };
  let result;
  try {
    result = callAsInvocation(() => handler(request, response));
  } catch (error) {
    finish(error); // the framework answers 500
    return;
  }
  if (isThenable(result)) result.then(undefined, (error) => finish(error ?? new Error('rejected')));
}

/** Google Cloud Functions, event: the returned promise, or the callback when the function declares one. */
function gcfEventInvoker(callbackAfter) {
  return (handler, event, timeout, respond) => {
    const context = { eventId: randomUUID(), timestamp: new Date().toISOString(), eventType: 'event', resource: {} };
    const leading = callbackAfter === 1 ? [event] : [event, context];
    if (handler.length > callbackAfter) {
      const callback = firstCallOnly(respond); // "Ignoring extra callback call"
      try {
        callAsInvocation(() => handler(...leading, callback));
      } catch (error) {
        callback(error);
      }
      return;
    }
    settleThen(() => handler(...leading), respond);
  };
}

function azureContext() {
  const log = (...values) => console.log(...values);
  return Object.assign(log, { invocationId: randomUUID(), functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function' });
}

/** Azure Functions v4: the returned promise settles the invocation. */
function invokeAzureV4(handler, event, timeout, respond) {
  const base = azureContext();
  const context = { invocationId: base.invocationId, functionName: base.functionName, log: base, error: base, warn: base, info: base, trace: base, debug: base, extraInputs: { get: () => undefined }, extraOutputs: { set: () => {} } };
  settleThen(() => handler(event, context), respond);
}

/** Azure Functions v3: the returned promise or the first context.done(). */
function invokeAzureV3(handler, event, timeout, respond) {
  const complete = firstCallOnly(respond);
  const log = azureContext();
  const context = { invocationId: log.invocationId, log, bindings: { req: event }, res: undefined, done: (error, result) => complete(error, result ?? context.res) };
  let result;
  try {
    result = callAsInvocation(() => handler(context, event));
  } catch (error) {
    complete(error);
    return;
  }
  if (isThenable(result)) result.then((value) => complete(null, value ?? context.res), (error) => complete(error));
}

function callAsInvocation(call) {
  return asOwner(phase, call);
}

/** Run the handler and call ``then(error, result)`` once its result (awaited if a promise) is known. */
function settleThen(call, then) {
  let result;
  try {
    result = callAsInvocation(call);
  } catch (error) {
    then(error);
    return;
  }
  Promise.resolve(result).then(
    (value) => asOwner(RUNTIME, () => then(null, value)),
    (error) => asOwner(RUNTIME, () => then(error ?? new Error('rejected'))),
  );
}

// The tail: what runs between the response and the request for the next event. The Lambda runtime
// asks for it from a setImmediate (v3) or at once (v4); Azure never freezes, so its gap is idle time.
const frozen = (invoke) => ({ invoke, tail: setImmediate, freezes: true, init: () => {} });
const RUNTIMES = {
  'nodejs18.x': frozen(invokeLambdaV3),
  'nodejs20.x': frozen(invokeLambdaV3),
  'nodejs22.x': frozen(invokeLambdaV3),
  'nodejs24.x': { ...frozen(invokeLambdaV4), tail: (then) => then(), init: refuseCallbackHandler },
  'gcf-http': frozen(invokeGcfHttp),
  'gcf-event': frozen(gcfEventInvoker(2)),
  'gcf-cloudevent': frozen(gcfEventInvoker(1)),
  'azure-v3': { ...frozen(invokeAzureV3), freezes: false },
  'azure-v4': { ...frozen(invokeAzureV4), freezes: false },
};

function refuseCallbackHandler(handler) {
  if (handler.length >= 3 && !handler[STREAMING]) {
    throw new Error('Runtime.CallbackHandlerDeprecated: ES modules and callback-based function handlers are not '
      + 'supported in nodejs24.x; the handler declares a third (callback) parameter');
  }
}

// ------------------------------------------------------------------ init and the invocation loop

const runtime = RUNTIMES[options.runtime];

function parseArguments(argv) {
  const values = {};
  for (let index = 0; index < argv.length; index += 2) values[argv[index].replace(/^--/, '')] = argv[index + 1];
  return { file: values.file, handler: values.handler, runtime: values.runtime, commands: Number(values.commands), messages: Number(values.messages) };
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: { from: (stream) => stream },
};

async function loadModule(file) {
  const require = createRequire(file);
  if (!file.endsWith('.mjs') && !file.endsWith('.mts')) {
    try {
      return require(file);
    } catch (error) {
      if (error?.code !== 'ERR_REQUIRE_ESM' && error?.code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
    }
  }
  return import(pathToFileURL(file).href);
}

/** ``a.b`` export by export; ``module.exports`` and ``default`` name a module that is itself the function. */
function findHandler(module, name) {
  if (name === 'module.exports' || name === 'default') {
    return findHandlerIn(typeof module === 'function' ? module : module?.default, name);
  }
  let target = module;
  for (const part of name.split('.')) {
    target = target?.[part] ?? target?.default?.[part];
  }
  return findHandlerIn(target, name);
}

function findHandlerIn(target, name) {
  if (typeof target !== 'function') throw new TypeError(`${name} is not a function exported by ${options.file}`);
  return target;
}

function reportCrash(code) {
  return (error) => {
    send({ message: 'crashed', error: `${formatError(error)}\n(uncaught in ${describePhase(phase)}; the runtime exits as the Lambda runtime does)` });
    process.exit(code);
  };
}

function runInvocation(handler, command) {
  runtime.invoke(handler, command.event, command.timeout, (error, result) => {
    const response = { error: error === null || error === undefined ? null : formatError(error), value: responseOf(result) };
    runtime.tail(() => asOwner(RUNTIME, () => finishInvocation(handler, command, response)));
  });
}

function finishInvocation(handler, command, response) {
  const pending = pendingWork();
  if (command.last) phase = ENDED;
  else if (!runtime.freezes) phase = 2 * command.number;
  send({ message: 'returned', number: command.number, ...response, pending });
  nextInvocation(handler);
}

function nextInvocation(handler) {
  const start = (command) => {
    if (command === null) process.exit(0);
    phase = 2 * command.number - 1;
    if (runtime.freezes) observeFrozenWorkers();
    // One loop turn before the handler: the loop's clock catches up with the freeze, and timers due
    // meanwhile fire first (inside the new invocation, as at a thaw).
    setImmediate(() => runInvocation(handler, command));
  };
  if (runtime.freezes) start(readCommandSync());
  else readCommand((command) => asOwner(RUNTIME, () => start(command)));
}

/** The runtime and the child processes it knows of die with leak-lsp, even if leak-lsp is killed. */
function watchParent() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    for (const work of works.values()) {
      const pid = work.type === 'PROCESSWRAP' ? work.handle?.deref()?.pid : undefined;
      if (pid !== undefined) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    process.kill(process.pid, 'SIGKILL');
  }, 200).unref();
}

async function main() {
  watchParent();
  if (readCommandSync() === null) process.exit(2); // "init": leak-lsp has put this process where it can freeze it
  let handler;
  try {
    const module = await asOwner(INIT, () => loadModule(path.resolve(options.file)));
    handler = findHandler(module, options.handler);
    runtime.init(handler);
  } catch (error) {
    send({ message: 'failed', error: formatError(error) });
    process.exit(2);
  }
  process.on('uncaughtException', reportCrash(129));
  process.on('unhandledRejection', reportCrash(128));
  send({ message: 'ready' });
  nextInvocation(handler);
}

main();
