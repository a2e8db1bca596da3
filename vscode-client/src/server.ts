// Starts, restarts and stops the language client and its `python -m leak_lsp serve` process.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { resolveInterpreter } from "./python";
import { analysisSettings, LaunchSettings, launchSettings, SECTION } from "./settings";
import { ServerState, ServerStatus } from "./status";
import { traceForLogLevel } from "./trace";

// Python documents, and the deployment files that name handlers (the server reports a
// handler string that points at a missing module or function in the file itself).
const DOCUMENT_SELECTOR = [
  { scheme: "file", language: "python" },
  { scheme: "untitled", language: "python" },
  ...["javascript", "javascriptreact", "typescript", "typescriptreact"].map((language) => ({ scheme: "file", language })),
  { scheme: "file", pattern: "**/{template,*.template}.{yaml,yml,json}" },
  { scheme: "file", pattern: "**/serverless.{yml,yaml}" },
  { scheme: "file", pattern: "**/*.tf" },
  { scheme: "file", pattern: "**/function.json" },
];

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
 * Python documents (saved and untitled), the log as output and trace channel, and the
 * server's `workspace/configuration` requests for section `leakLsp` answered with the
 * analysis keys of the asked scope.
 */
function clientOptions(log: vscode.LogOutputChannel): LanguageClientOptions {
  return {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: log,
    traceOutputChannel: log,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
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

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly extensionPath: string,
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

  async applyLogLevel(level: vscode.LogLevel): Promise<void> {
    await this.client?.setTrace(traceForLogLevel(level));
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
    this.warnIfBundleMissing(settings);
    const client = new LanguageClient(
      "leakLsp",
      "leak-lsp",
      serverOptions(interpreter.path, settings, this.extensionPath),
      clientOptions(this.log),
    );
    client.onDidChangeState((event) => {
      this.status.show(STATE_NAMES[event.newState]);
    });
    this.client = client;
    this.status.show("starting");
    try {
      await client.start();
      await client.setTrace(traceForLogLevel(this.log.logLevel));
    } catch (error) {
      const detail = `${interpreter.path} -m leak_lsp serve: ${String(error)}`;
      this.log.error(`The server did not start: ${detail}`);
      this.status.show("failed", detail);
    }
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

