// Entry point: activated by the first Python document (or a workspace with a deployment
// file); wires the server, its log, status and commands.
import * as vscode from "vscode";
import type { DocumentSelector } from "vscode-languageclient/node";
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
  const documents = (context.extension.packageJSON as { leakLsp: { documentSelector: DocumentSelector } }).leakLsp
    .documentSelector;
  const server = new ServerController(context.extensionPath, documents, log, status);
  controller = server;
  context.subscriptions.push(
    log,
    status,
    server,
    vscode.commands.registerCommand(RESTART_COMMAND, () => server.restart()),
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => {
      log.show();
    }),
    // Settings ignored while the workspace was untrusted (the interpreter...) now apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => server.restart()),
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
