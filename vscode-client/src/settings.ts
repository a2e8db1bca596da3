// The extension's own settings, and the analysis settings the server asks for through
// `workspace/configuration` (section `leakLsp`, the keys of `[tool.leak-lsp]`).
import * as vscode from "vscode";

export const SECTION = "leakLsp";

export type ImportStrategy = "useBundled" | "fromEnvironment";

export interface LaunchSettings {
  interpreter: string;
  importStrategy: ImportStrategy;
  serverArgs: string[];
}

/** Extension setting name -> key of `[tool.leak-lsp]` that the server reads. */
const ANALYSIS_KEYS: ReadonlyArray<[setting: string, serverKey: string]> = [
  ["select", "select"],
  ["ignore", "ignore"],
  ["severity", "severity"],
  ["handlers", "handlers"],
  ["exclude", "exclude"],
];

/** Settings that change how the server is started, so a change needs a restart. */
export const LAUNCH_SETTINGS = ["interpreter", "importStrategy", "serverArgs"].map((name) => `${SECTION}.${name}`);

/** Settings the server reads through `workspace/configuration`. */
export const ANALYSIS_SETTINGS = ANALYSIS_KEYS.map(([setting]) => `${SECTION}.${setting}`);

export function launchSettings(scope: vscode.Uri | undefined): LaunchSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    interpreter: config.get<string>("interpreter", ""),
    importStrategy: config.get<ImportStrategy>("importStrategy", "useBundled"),
    serverArgs: config.get<string[]>("serverArgs", []),
  };
}

/**
 * The analysis keys for a scope; unset ones are `null`, which the server treats as
 * "use the project's pyproject.toml".
 */
export function analysisSettings(scope: vscode.Uri | undefined): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return Object.fromEntries(ANALYSIS_KEYS.map(([setting, serverKey]) => [serverKey, config.get(setting) ?? null]));
}
