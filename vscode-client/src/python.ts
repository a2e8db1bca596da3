// Which Python interpreter runs the server: the `leakLsp.interpreter` setting, else the
// Python extension's active interpreter (when that extension is installed and the
// workspace is trusted), else python3.
import * as vscode from "vscode";

const PYTHON_EXTENSION_ID = "ms-python.python";
const FALLBACK_INTERPRETER = "python3";

/** The part of the Python extension's API (`environments`) this extension uses. */
interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
  resolveEnvironment(
    environment: { id: string; path: string },
  ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
}

export interface Interpreter {
  path: string;
  origin: "setting" | "python extension" | "default";
}

async function pythonEnvironments(): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) {
    return undefined;
  }
  const api = extension.isActive ? extension.exports : await extension.activate();
  return api.environments;
}

async function activeEnvironmentExecutable(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const environments = await pythonEnvironments();
  if (!environments) {
    return undefined;
  }
  const resolved = await environments.resolveEnvironment(environments.getActiveEnvironmentPath(resource));
  return resolved?.executable.uri?.fsPath;
}

/**
 * The interpreter for the server of `resource`'s workspace folder (the first folder if none).
 * In an untrusted workspace VS Code already ignores the workspace's `leakLsp.interpreter`
 * (a restricted setting, see package.json); the Python extension's choice is skipped too,
 * since it may be an executable inside the workspace (`.venv/bin/python`).
 */
export async function resolveInterpreter(
  configured: string,
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<Interpreter> {
  if (configured.trim() !== "") {
    return { path: configured, origin: "setting" };
  }
  if (!vscode.workspace.isTrusted) {
    return { path: FALLBACK_INTERPRETER, origin: "default" };
  }
  try {
    const fromExtension = await activeEnvironmentExecutable(resource);
    if (fromExtension) {
      return { path: fromExtension, origin: "python extension" };
    }
  } catch (error) {
    log.warn(`Could not ask the Python extension for its interpreter: ${String(error)}`);
  }
  return { path: FALLBACK_INTERPRETER, origin: "default" };
}

/** Calls `listener` when the Python extension's active interpreter changes (no-op without it). */
export async function onActiveInterpreterChanged(
  listener: () => void,
): Promise<vscode.Disposable | undefined> {
  try {
    const environments = await pythonEnvironments();
    return environments?.onDidChangeActiveEnvironmentPath(listener);
  } catch {
    return undefined;
  }
}
