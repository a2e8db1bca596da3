// Starts, restarts and stops the language client and its `python -m leak_lsp serve` process.
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import * as vscode from "vscode";
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  DocumentSelector,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { findExecutable, interpreterNotFound, StartProblem, startFailure } from "./problems";
import { resolveInterpreter } from "./python";
import { analysisSettings, LaunchSettings, launchSettings, SECTION } from "./settings";
import { ServerState, ServerStatus } from "./status";
import { ServerStderr } from "./stderr";

// A server that crashes after it started is restarted, up to this many times in the window.
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;
const STDERR_WAIT_MS = 2000;

const STATE_NAMES: Record<State, ServerState> = {
  [State.Starting]: "starting",
  [State.Running]: "running",
  [State.Stopped]: "stopped",
  [State.StartFailed]: "failed",
};

/**
 * The command line of the server. The working directory is the extension's own folder:
 * `python -m` puts it first on sys.path, and a workspace folder there would let a
 * user's module (a `json.py`, say) shadow the server's imports and run.
 */
export function serverOptions(interpreter: string, settings: LaunchSettings, extensionPath: string): ServerOptions {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: "1" };
  if (settings.importStrategy === "useBundled") {
    const bundledLibs = path.join(extensionPath, "bundled", "libs");
    env.PYTHONPATH = [bundledLibs, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  }
  return {
    command: interpreter,
    args: ["-m", "leak_lsp", "serve", ...settings.serverArgs],
    transport: TransportKind.stdio,
    options: { cwd: extensionPath, env },
  };
}

/**
 * Never restarts by itself and never pops up: the controller decides (a server that could
 * not start is explained once; one that crashed while running is restarted).
 */
const QUIET_ERROR_HANDLER: ErrorHandler = {
  error: (_error, _message, count): ErrorHandlerResult =>
    count !== undefined && count <= 3
      ? { action: ErrorAction.Continue, handled: true }
      : { action: ErrorAction.Shutdown, handled: true },
  closed: (): CloseHandlerResult => ({ action: CloseAction.DoNotRestart, handled: true }),
};

/**
 * Documents from the `leakLsp.documentSelector` of package.json (Python, saved and
 * untitled, and the deployment files that name handlers), the log as output and trace
 * channel (its log level Trace shows each message with its content, see
 * `leakLsp.trace.server`), stderr logged at the server's own levels, and the server's
 * `workspace/configuration` requests for section `leakLsp` answered with the analysis
 * keys of the asked scope. Nothing narrows the project: the server finds it per file.
 */
function clientOptions(log: vscode.LogOutputChannel, stderr: ServerStderr, documents: DocumentSelector): LanguageClientOptions {
  return {
    documentSelector: documents,
    outputChannel: log,
    traceOutputChannel: log,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler: QUIET_ERROR_HANDLER,
    initializationFailedHandler: () => false, // stop, without a pop-up: the controller explains
    stdioOptions: {
      stdout: (input, channel) => {
        readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on("line", (line) => {
          channel.info(line);
        });
      },
      stderr: (input) => {
        stderr.pipe(input);
      },
    },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (answers instanceof ResponseError) {
            return answers;
          }
          const defaults: unknown[] = answers;
          return params.items.map((item, index) =>
            item.section === SECTION
              ? analysisSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : defaults[index],
          );
        },
      },
    },
  };
}

/** A client whose own error pop-ups are only logged: the controller shows one that says what to do. */
class LeakLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown, showNotification: boolean | "force" = true): void {
    super.error(message, data, showNotification === "force" ? false : showNotification);
  }
}

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private crashes: number[] = [];

  constructor(
    private readonly extensionPath: string,
    private readonly documents: DocumentSelector,
    private readonly log: vscode.LogOutputChannel,
    private readonly status: ServerStatus,
  ) {}

  /** Stops the running server (if any) and starts a new one with the current settings. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.stopClient();
      await this.startClient();
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopClient());
  }

  /** Tells the server that `leakLsp` settings changed; it asks for them again (`workspace/configuration`). */
  async announceSettingsChange(): Promise<void> {
    if (this.client?.isRunning()) {
      await this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  dispose(): void {
    void this.stop();
  }

  /** Restarts and stops run one after another, so two quick restarts never leave two servers. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private async startClient(): Promise<void> {
    const scope = vscode.workspace.workspaceFolders?.[0]?.uri;
    const settings = launchSettings(scope);
    const interpreter = await resolveInterpreter(settings.interpreter, scope, this.log);
    this.log.info(
      `Starting leak-lsp with ${interpreter.path} (interpreter from ${interpreter.origin}; ${settings.importStrategy})`,
    );
    if (findExecutable(interpreter.path) === undefined) {
      this.reportStartProblem(interpreterNotFound(interpreter));
      return;
    }
    this.warnIfBundleMissing(settings);
    const stderr = new ServerStderr(this.log);
    const client = new LeakLanguageClient(
      "leakLsp",
      "leak-lsp",
      serverOptions(interpreter.path, settings, this.extensionPath),
      clientOptions(this.log, stderr, this.documents),
    );
    client.onDidChangeState((event) => {
      this.status.show(STATE_NAMES[event.newState]);
      if (event.oldState === State.Running && event.newState === State.Stopped && this.client === client) {
        this.restartAfterCrash();
      }
    });
    this.client = client;
    this.status.show("starting");
    try {
      await client.start();
    } catch (error) {
      this.log.error(`The server did not start: ${interpreter.path} -m leak_lsp serve: ${String(error)}`);
      this.reportStartProblem(startFailure(interpreter, settings, await stderr.lastLines(STDERR_WAIT_MS)));
    }
  }

  /** Restarts a server that stopped on its own while running, unless it keeps crashing. */
  private restartAfterCrash(): void {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((time) => now - time < RESTART_WINDOW_MS), now];
    if (this.crashes.length <= MAX_RESTARTS) {
      this.log.warn("The server stopped unexpectedly; restarting it");
      void this.restart();
      return;
    }
    this.reportStartProblem({
      message: `leak-lsp stopped ${this.crashes.length} times in 3 minutes and is not restarted. See the log, then run "leak-lsp: Restart Server".`,
    });
  }

  /** One notification (and the log, and the status bar) per failed start, naming the fix. */
  private reportStartProblem(problem: StartProblem): void {
    this.log.error(problem.message);
    this.status.show("failed", problem.message);
    const actions = problem.setting ? ["Open Settings", "Show Log"] : ["Show Log"];
    void vscode.window.showErrorMessage(problem.message, ...actions).then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", problem.setting);
      } else if (choice === "Show Log") {
        this.log.show();
      }
    });
  }

  private warnIfBundleMissing(settings: LaunchSettings): void {
    const bundledServer = path.join(this.extensionPath, "bundled", "libs", "leak_lsp");
    if (settings.importStrategy === "useBundled" && !fs.existsSync(bundledServer)) {
      this.log.warn(`No bundled server at ${bundledServer}; the interpreter's own leak_lsp will be used`);
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) {
      return;
    }
    try {
      await client.dispose();
    } catch (error) {
      this.log.warn(`Stopping the server: ${String(error)}`);
    }
    this.status.show("stopped");
  }
}
