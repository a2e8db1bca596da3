// A status bar item that shows whether the server runs; a click opens the log.
import * as vscode from "vscode";

export type ServerState = "starting" | "running" | "stopped" | "failed";

const PRESENTATION: Record<ServerState, { icon: string; tooltip: string }> = {
  starting: { icon: "$(loading~spin)", tooltip: "leak-lsp: starting the server" },
  running: { icon: "$(check)", tooltip: "leak-lsp: the server is running" },
  stopped: { icon: "$(circle-slash)", tooltip: "leak-lsp: the server is stopped" },
  failed: { icon: "$(error)", tooltip: "leak-lsp: the server failed to start; see the log" },
};

export class ServerStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("leakLsp.status", vscode.StatusBarAlignment.Right, 100);

  constructor(logCommand: string) {
    this.item.name = "leak-lsp";
    this.item.command = logCommand;
    this.show("stopped");
    this.item.show();
  }

  show(state: ServerState, detail?: string): void {
    const { icon, tooltip } = PRESENTATION[state];
    this.item.text = `${icon} leak-lsp`;
    this.item.tooltip = detail ? `${tooltip}\n${detail}` : tooltip;
    this.item.backgroundColor =
      state === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
