// Why the server could not start, said so that the user knows what to change.
import * as fs from "fs";
import * as path from "path";
import type { Interpreter } from "./python";
import type { LaunchSettings } from "./settings";

export interface StartProblem {
  message: string;
  /** The setting that fixes it, opened by the notification's "Open Settings". */
  setting?: string;
}

/** The file `command` runs (a path, or a name looked up on PATH), if it exists and is executable. */
export function findExecutable(command: string): string | undefined {
  const candidates = command.includes("/") || command.includes(path.sep)
    ? [command]
    : (process.env.PATH ?? "").split(path.delimiter).filter(Boolean).map((folder) => path.join(folder, command));
  const suffixes = process.platform === "win32" ? ["", ...(process.env.PATHEXT ?? ".EXE").split(";")] : [""];
  return candidates.flatMap((candidate) => suffixes.map((suffix) => candidate + suffix)).find(isExecutableFile);
}

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function interpreterNotFound(interpreter: Interpreter): StartProblem {
  const where = {
    setting: `the interpreter "${interpreter.path}" set in leakLsp.interpreter does not exist or is not executable`,
    "python extension": `the Python extension's interpreter "${interpreter.path}" does not exist or is not executable`,
    default: `there is no "${interpreter.path}" on PATH`,
  }[interpreter.origin];
  return {
    message: `leak-lsp could not start: ${where}. Set leakLsp.interpreter to a Python 3.10+ executable.`,
    setting: "leakLsp.interpreter",
  };
}

/** The problem shown when the server process ended before answering `initialize`. */
export function startFailure(interpreter: Interpreter, settings: LaunchSettings, stderr: string[]): StartProblem {
  const missingModule = stderr.some((line) => /No module named '?leak_lsp'?$/.test(line));
  if (missingModule && settings.importStrategy === "fromEnvironment") {
    return {
      message:
        `leak-lsp could not start: ${interpreter.path} has no leak_lsp module (leakLsp.importStrategy is ` +
        `"fromEnvironment"). Install it there (${interpreter.path} -m pip install leak-lsp) or set ` +
        `leakLsp.importStrategy to "useBundled".`,
      setting: "leakLsp.importStrategy",
    };
  }
  const cause = stderr.filter((line) => line.trim() !== "").at(-1) ?? "the server exited";
  const fix = missingModule
    ? "The extension's bundled server is missing: reinstall the extension."
    : "See the leak-lsp log; leakLsp.interpreter must be Python 3.10+.";
  return { message: `leak-lsp could not start with ${interpreter.path}: ${cause}. ${fix}`, setting: "leakLsp.interpreter" };
}
