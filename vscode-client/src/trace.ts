// The log output channel's level decides how much of the LSP traffic is traced into it.
import * as vscode from "vscode";
import { Trace } from "vscode-languageclient/node";

export function traceForLogLevel(level: vscode.LogLevel): Trace {
  switch (level) {
    case vscode.LogLevel.Trace:
      return Trace.Verbose;
    case vscode.LogLevel.Debug:
      return Trace.Messages;
    default:
      return Trace.Off;
  }
}
