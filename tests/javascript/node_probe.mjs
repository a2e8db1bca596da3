// A small freeze/thaw probe for the tests: runs one invocation of a handler the way
// Lambda's Node runtime ends it, then reports every callback that ran after the end
// for a resource the invocation created (a timer firing, a child process exiting,
// a worker's message...): work that a frozen sandbox would run in a later invocation.
// Usage: node node_probe.mjs FILE [EXPORT]   ->   one JSON line on stdout.
import { createHook, executionAsyncId } from "node:async_hooks";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { writeSync } from "node:fs";
import { resolve as resolvePath } from "node:path";

const HARMLESS = new Set(["PROMISE", "Immediate", "TickObject", "Microtask"]); // NODE.md R2: tail, before GET /next
// Handles that close after their owner (a child's stdio pipes, a worker's port): the owner is what leaks.
const SECONDARY = new Set(["PIPEWRAP", "SHUTDOWNWRAP", "MESSAGEPORT"]);
const THAW_LIMIT_MS = 3000; // the thaw lasts until the invocation's work is gone (an interval never goes)

const [given, exportName = "handler"] = process.argv.slice(2);
const file = resolvePath(given);
const loaded = file.endsWith(".mjs") ? await import(pathToFileURL(file).href) : createRequire(import.meta.url)(file);
const handler = loaded[exportName] ?? loaded.default?.[exportName];

process.stdout.write(""); // open the standard streams now: they belong to the process, not to the invocation
process.stderr.write("");
const live = new Map(); // asyncId -> {type, resource} created by the invocation
const leaked = [];
let phase = "init"; // "init" | "invoke" (the handler's synchronous part) | "running" | "ended"
let quiet = false; // the probe's own timers are not the invocation's
const hook = createHook({
  init(id, type, trigger, resource) {
    if (!quiet && (phase === "invoke" || live.has(executionAsyncId()) || live.has(trigger))) live.set(id, { type, resource });
  },
  before(id) {
    const entry = live.get(id);
    if (phase === "ended" && entry && !HARMLESS.has(entry.type) && !SECONDARY.has(entry.type)) leaked.push(entry.type);
  },
  destroy(id) { live.delete(id); },
});
hook.enable();

function probeTimer(callback, ms) {
  quiet = true;
  try { return setTimeout(callback, ms); } finally { quiet = false; }
}

function pending(refOnly) {
  return [...live.values()].some(({ type, resource }) => !HARMLESS.has(type) && !SECONDARY.has(type)
    && (!refOnly || typeof resource?.hasRef !== "function" || resource.hasRef()));
}

async function invoke() {
  const context = { awsRequestId: "probe-1", callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 3000 };
  return await new Promise((resolve) => {
    let done = false;
    const finish = (value) => { if (!done) { done = true; resolve(value); } };
    const untilLoopDrains = (value) => {
      const poll = () => (pending(true) ? probeTimer(poll, 5) : finish(value));
      probeTimer(poll, 0); // like the runtime's beforeExit: after the handler's synchronous part
    };
    context.done = (error, value) => finish(error ? { error: String(error) } : value);
    context.succeed = (value) => finish(value);
    context.fail = (error) => finish({ error: String(error) });
    const callback = (error, value) => {
      const result = error ? { error: String(error) } : value;
      if (context.callbackWaitsForEmptyEventLoop === false) finish(result); else untilLoopDrains(result);
    };
    phase = "invoke";
    let returned;
    try {
      returned = handler({ id: "event-1" }, context, callback);
    } catch (error) {
      finish({ error: String(error) });
      return;
    } finally {
      phase = "running";
    }
    if (returned && typeof returned.then === "function") {
      returned.then(finish, (error) => finish({ error: String(error) }));
    }
  });
}

const result = await invoke();
await new Promise((resolve) => setImmediate(resolve)); // the runtime's own tail
phase = "ended";
const thawEnds = Date.now() + THAW_LIMIT_MS;
const report = () => {
  if (pending(false) && Date.now() < thawEnds) {
    probeTimer(report, 10);
    return;
  }
  hook.disable();
  writeSync(1, JSON.stringify({ result: result ?? null, leaked: [...new Set(leaked)].sort() }) + "\n");
  process.exit(0);
};
probeTimer(report, 10);
