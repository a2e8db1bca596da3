// Entry point: activated by the first Python document; wires the server, its log, status and commands.
import * as vscode from "vscode";
import { onActiveInterpreterChanged } from "./python";
import { ServerController } from "./server";
import { ANALYSIS_SETTINGS, LAUNCH_SETTINGS } from "./settings";
import { ServerStatus } from "./status";

const RESTART_COMMAND = "leakLsp.restart";
const SHOW_LOG_COMMAND = "leakLsp.showLog";

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("leak-lsp", { log: true });
  const status = new ServerStatus(SHOW_LOG_COMMAND);
  const server = new ServerController(context.extensionPath, log, status);
  controller = server;
  context.subscriptions.push(
    log,
    status,
    server,
    vscode.commands.registerCommand(RESTART_COMMAND, () => server.restart()),
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => {
      log.show();
    }),
    log.onDidChangeLogLevel((level) => server.applyLogLevel(level)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (LAUNCH_SETTINGS.some((setting) => event.affectsConfiguration(setting))) {
        void server.restart();
      } else if (ANALYSIS_SETTINGS.some((setting) => event.affectsConfiguration(setting))) {
        void server.announceSettingsChange();
      }
    }),
  );
  const interpreterListener = await onActiveInterpreterChanged(() => {
    void server.restart();
  });
  if (interpreterListener) {
    context.subscriptions.push(interpreterListener);
  }
  await vscode.commands.executeCommand("setContext", "leakLsp.active", true);
  await server.restart();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
