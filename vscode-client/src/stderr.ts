// The server's stderr in the log, each line at the level the server gave it, so a warning
// is not shown as an error; the last lines are kept to explain a server that did not start.
import * as readline from "readline";
import type * as stream from "stream";
import type * as vscode from "vscode";

type Level = "debug" | "info" | "warn" | "error";

// The server logs "leak-lsp LEVEL logger: message" (leak_lsp/cli/serve.py).
const SERVER_LINE = /^leak-lsp (DEBUG|INFO|WARNING|ERROR|CRITICAL) /;
const LEVELS: Record<string, Level> = { DEBUG: "debug", INFO: "info", WARNING: "warn", ERROR: "error", CRITICAL: "error" };
const KEPT_LINES = 20;

export class ServerStderr {
  private readonly kept: string[] = [];
  // Lines without a prefix continue the previous record (a traceback); before any record
  // they are Python's own complaints (no module, bad option), hence errors.
  private level: Level = "error";
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** For `stdioOptions.stderr`: reads the stream of one server process. */
  pipe(input: stream.Readable): void {
    this.kept.length = 0;
    this.level = "error";
    this.finished = new Promise((resolve) => input.once("close", resolve));
    readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on("line", (line) => {
      this.write(line);
    });
  }

  /** The last lines the server wrote, once its stderr closed (or after `waitMs`). */
  async lastLines(waitMs: number): Promise<string[]> {
    await Promise.race([this.finished, new Promise((resolve) => setTimeout(resolve, waitMs))]);
    return [...this.kept];
  }

  private write(line: string): void {
    const level = SERVER_LINE.exec(line)?.[1];
    if (level !== undefined) {
      this.level = LEVELS[level] ?? "error";
    }
    this.log[this.level](line);
    this.kept.push(line);
    if (this.kept.length > KEPT_LINES) {
      this.kept.shift();
    }
  }
}
