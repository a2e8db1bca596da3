// Puts the leak-lsp wheel of this repository and its dependencies under bundled/libs, so the
// packaged extension runs the server with no pip step: pure Python for any platform and any
// supported Python (3.10+), except the tree-sitter parser (see NATIVE_PACKAGES).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const clientDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(clientDir, "..");
const bundledLibs = join(clientDir, "bundled", "libs");
const python = process.env.PYTHON || "python3";

// pip evaluates environment markers for the Python that runs it, so the back-ports that
// a dependency needs only below 3.11 (cattrs -> exceptiongroup) are named here.
const BACKPORTS = ["exceptiongroup>=1.1.1", "tomli>=2.0"];
// Distributions published as platform wheels whose source distribution carries a
// pure-Python package (PyYAML falls back to it without its C extension): name -> folder
// inside the sdist.
const PURE_SOURCE_PACKAGES = new Map([["pyyaml", "lib/yaml"]]);
// Distributions with no pure-Python form (the JavaScript/TypeScript parser): bundled as the
// wheels of the platform and Python that build the extension. Elsewhere the server still
// runs; JavaScript and TypeScript files then need leak-lsp installed in the interpreter.
const NATIVE_PACKAGES = new Set(["tree-sitter", "tree-sitter-javascript", "tree-sitter-typescript"]);

function pip(...args) {
  execFileSync(python, ["-m", "pip", "--disable-pip-version-check", "--quiet", ...args], { stdio: "inherit" });
}

function only(folder, suffix) {
  const matches = readdirSync(folder).filter((name) => name.endsWith(suffix));
  if (matches.length !== 1) {
    throw new Error(`expected one *${suffix} in ${folder}, found ${matches.length}`);
  }
  return join(folder, matches[0]);
}

/** The unconditional and marker-guarded requirements of the installed leak-lsp (extras left out). */
function leakLspRequirements() {
  const metadata = readFileSync(join(only(bundledLibs, ".dist-info"), "METADATA"), "utf8");
  return metadata
    .split("\n")
    .filter((line) => line.startsWith("Requires-Dist:") && !line.includes("extra =="))
    .map((line) => line.slice("Requires-Dist:".length).split(";")[0].trim());
}

function distributionName(requirement) {
  return requirement.split(/[<>=!~ [(]/)[0].toLowerCase().replaceAll("_", "-");
}

function installPureWheels(requirements, scratch) {
  pip(
    "install", "--no-compile", "--target", bundledLibs, "--only-binary=:all:",
    "--implementation", "py", "--abi", "none", "--platform", "any", "--python-version", "3.10",
    "--cache-dir", join(scratch, "cache"), ...requirements,
  );
}

function installNativeWheels(requirements, scratch) {
  pip("install", "--no-compile", "--no-deps", "--target", bundledLibs, "--only-binary=:all:",
    "--cache-dir", join(scratch, "cache"), ...requirements);
}

function installFromSource(requirement, packageFolder, scratch) {
  const downloads = join(scratch, distributionName(requirement));
  pip("download", "--no-deps", "--no-binary", ":all:", "--dest", downloads, requirement);
  const sdist = only(downloads, ".tar.gz");
  const topFolder = basename(sdist, ".tar.gz");
  const depth = packageFolder.split("/").length;
  execFileSync("tar", ["-xzf", sdist, "-C", bundledLibs, "--strip-components", String(depth), `${topFolder}/${packageFolder}`]);
}

const scratch = mkdtempSync(join(tmpdir(), "leak-lsp-bundle-"));
try {
  rmSync(bundledLibs, { recursive: true, force: true });
  pip("wheel", "--no-deps", "--wheel-dir", scratch, repoRoot);
  pip("install", "--no-deps", "--no-compile", "--target", bundledLibs, only(scratch, ".whl"));
  const requirements = [...leakLspRequirements(), ...BACKPORTS];
  const fromSource = requirements.filter((requirement) => PURE_SOURCE_PACKAGES.has(distributionName(requirement)));
  const native = requirements.filter((requirement) => NATIVE_PACKAGES.has(distributionName(requirement)));
  const fromWheels = requirements.filter((requirement) => !fromSource.includes(requirement) && !native.includes(requirement));
  installPureWheels(fromWheels, scratch);
  installNativeWheels(native, scratch);
  for (const requirement of fromSource) {
    installFromSource(requirement, PURE_SOURCE_PACKAGES.get(distributionName(requirement)), scratch);
  }
  rmSync(join(bundledLibs, "bin"), { recursive: true, force: true });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
