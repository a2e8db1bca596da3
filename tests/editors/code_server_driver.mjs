// Drives VS Code (code-server) in Debian's chromium and prints a JSON report for
// tests/editors/test_vscode.py. Scenarios:
// - "quick-fix": open the handler, wait for the leak-lsp diagnostic in the Problems panel,
//   screenshot it, go to it, Ctrl+. , pick the preferred fix, wait for the diagnostic to go, save;
// - "restart": as far as the diagnostic, then open the extension's log through its status
//   bar item, run "leak-lsp: Restart Server" from the command palette, read the log, and
//   wait for the diagnostic;
// - "problems": open the file, wait until the leak-lsp rows of the Problems panel are
//   LEAK_LSP_EXPECTED (a JSON list of {code, line, column}: 0-based, UTF-16), then click
//   the code lens saying LEAK_LSP_LENS (when given) and read the notification it brings;
// - "diagnosed": open the handler and wait for its diagnostic;
// - "start-failure": open the file, wait for the status bar item to show the failure,
//   wait LEAK_LSP_SETTLE_MS more for any further pop-up, and report the notifications.
//
// Environment: LEAK_LSP_URL (code-server with the workspace folder), LEAK_LSP_FILE (the
// file name to open), LEAK_LSP_SEVERITY (the configured severity of the diagnostic, to
// wait for once the settings have reached the server), LEAK_LSP_FIX_TITLE,
// LEAK_LSP_ARTIFACTS (folder for screenshots: problems-panel.png, SCENARIO-failure.png),
// LEAK_LSP_SCENARIO, CHROMIUM, PLAYWRIGHT_CORE.
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE);

const STEP_TIMEOUT_MS = 20000;
const report = { steps: [] };

async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  const quickOpen = page.locator(".quick-input-widget input");
  await quickOpen.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  await quickOpen.fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: STEP_TIMEOUT_MS });
}

function problemRows(page) {
  return page.locator(".markers-panel .monaco-list-row", { hasText: "leak-lsp" });
}

async function readProblems(page) {
  return problemRows(page).evaluateAll((rows) =>
    rows.map((row) => ({
      text: row.innerText.replace(/\s+/g, " ").trim(),
      icon: row.querySelector(".marker-icon")?.className ?? "",
    })),
  );
}

async function showProblems(page) {
  await page.keyboard.press("Control+Shift+M");
  await page.locator(".markers-panel").waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
}

const QUICK_FIX_ATTEMPTS = 3;

async function applyQuickFix(page, title) {
  const menu = page.locator(".action-widget:not(.action-list-submenu-panel)");
  await openQuickFixMenu(page, menu);
  report.offered = await menu.locator(".monaco-list-row .title").allInnerTexts();
  await menu.locator(".monaco-list-row", { hasText: title }).first().click();
}

// Ctrl+. asks for the actions at the cursor: on a loaded machine the double-click may not have moved the
// cursor onto the diagnostic yet when the key arrives ("No code actions available"), so a user's second
// try is allowed; the report says how many it took.
async function openQuickFixMenu(page, menu) {
  for (let attempt = 1; attempt <= QUICK_FIX_ATTEMPTS; attempt += 1) {
    await problemRows(page).first().dblclick(); // puts the cursor on the diagnostic, in the editor
    await page.locator(".monaco-editor.focused").waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.keyboard.press("Control+.");
    report.quickFixAttempts = attempt;
    try {
      await menu.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS / 2 });
      return;
    } catch (error) {
      if (attempt === QUICK_FIX_ATTEMPTS) throw error;
      await page.keyboard.press("Escape"); // the "No code actions available" hint, if shown
    }
  }
}

async function openHandlerWithDiagnostic(page) {
  await page.goto(process.env.LEAK_LSP_URL);
  await page.locator(".monaco-workbench").waitFor({ timeout: STEP_TIMEOUT_MS * 2 });
  await openFile(page, process.env.LEAK_LSP_FILE);
  report.steps.push("opened");

  await showProblems(page);
  const severityIcon = page.locator(`.codicon-${process.env.LEAK_LSP_SEVERITY}`);
  await problemRows(page).filter({ has: severityIcon }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  report.problems = await readProblems(page);
  report.steps.push("diagnosed");
}

async function quickFix(page) {
  await openHandlerWithDiagnostic(page);
  await page.screenshot({ path: join(process.env.LEAK_LSP_ARTIFACTS, "problems-panel.png") });

  await applyQuickFix(page, process.env.LEAK_LSP_FIX_TITLE);
  await problemRows(page).first().waitFor({ state: "detached", timeout: STEP_TIMEOUT_MS });
  report.steps.push("fixed");

  await page.keyboard.press("Control+S");
  await page.locator(".tab.active.dirty").waitFor({ state: "detached", timeout: STEP_TIMEOUT_MS });
  report.steps.push("saved");
}

async function runCommand(page, title) {
  await page.keyboard.press("Control+Shift+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press("Enter");
}

/** The text of the log in the Output view, wrapped lines joined back. */
async function shownLog(page) {
  const lines = await page.locator(".output-view .view-lines .view-line").allInnerTexts();
  return lines.join("").replaceAll("\u00a0", " "); // the editor renders spaces as NBSP
}

async function restart(page) {
  await openHandlerWithDiagnostic(page);
  await page.locator(".statusbar-item", { hasText: "leak-lsp" }).click(); // opens the log
  await page.locator(".output-view .view-lines").filter({ hasText: "Starting leak-lsp" }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await runCommand(page, "leak-lsp: Restart Server");
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while ((await shownLog(page)).split("Starting leak-lsp").length < 3 && Date.now() < deadline) {
    await page.waitForTimeout(100);
  }
  report.log = await shownLog(page);
  report.steps.push("restarted");

  await showProblems(page);
  await problemRows(page).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  report.steps.push("diagnosed again");
}

function positionOf(text) {
  const position = /\[Ln (\d+), Col (\d+)\]/.exec(text);
  return position ? { line: Number(position[1]) - 1, column: Number(position[2]) - 1 } : {};
}

/** Problems panel rows as {code, line, column}, sorted, to compare with the expected ones. */
async function findings(page) {
  const rows = await readProblems(page);
  return rows
    .map((row) => ({ code: /EL\d+/.exec(row.text)?.[0], ...positionOf(row.text) }))
    .map((finding) => JSON.stringify(finding, ["code", "line", "column"]))
    .sort();
}

async function problems(page) {
  await page.goto(process.env.LEAK_LSP_URL);
  await page.locator(".monaco-workbench").waitFor({ timeout: STEP_TIMEOUT_MS * 2 });
  await openFile(page, process.env.LEAK_LSP_FILE);
  report.steps.push("opened");

  await showProblems(page);
  const expected = JSON.parse(process.env.LEAK_LSP_EXPECTED)
    .map((finding) => JSON.stringify(finding, ["code", "line", "column"]))
    .sort();
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (JSON.stringify(await findings(page)) !== JSON.stringify(expected) && Date.now() < deadline) {
    await page.waitForTimeout(100);
  }
  report.problems = await readProblems(page);
  report.steps.push("diagnosed");
  if (!process.env.LEAK_LSP_LENS) return;

  const lens = page.locator(".codelens-decoration a", { hasText: process.env.LEAK_LSP_LENS }).first();
  await lens.waitFor({ timeout: STEP_TIMEOUT_MS });
  report.lens = await lens.innerText();
  await lens.click();
  const shown = page.locator(".notification-toast .notification-list-item-message", { hasText: "finding" }).first();
  await shown.waitFor({ timeout: STEP_TIMEOUT_MS });
  report.lens_message = await shown.innerText();
  report.steps.push("lens clicked");
}

async function readNotifications(page) {
  return page.locator(".notification-toast").evaluateAll((toasts) =>
    toasts.map((toast) => ({
      text: toast.querySelector(".notification-list-item-message")?.innerText ?? "",
      icon: toast.querySelector(".notification-list-item-icon")?.className ?? "",
    })),
  );
}

async function startFailure(page) {
  await page.goto(process.env.LEAK_LSP_URL);
  await page.locator(".monaco-workbench").waitFor({ timeout: STEP_TIMEOUT_MS * 2 });
  await openFile(page, process.env.LEAK_LSP_FILE);
  report.steps.push("opened");
  await page.locator(".statusbar-item", { hasText: "leak-lsp" }).locator(".codicon-error").waitFor({ timeout: STEP_TIMEOUT_MS });
  report.steps.push("failed");
  await page.waitForTimeout(Number(process.env.LEAK_LSP_SETTLE_MS)); // time for a restart loop to show itself
  report.notifications = await readNotifications(page);
  report.status = await page.locator(".statusbar-item", { hasText: "leak-lsp" }).first().getAttribute("aria-label");
}

const SCENARIOS = {
  "quick-fix": quickFix,
  restart,
  problems,
  "start-failure": startFailure,
  diagnosed: openHandlerWithDiagnostic,
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu"],
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await SCENARIOS[process.env.LEAK_LSP_SCENARIO](page);
  } catch (error) {
    report.error = String(error);
    const failure = join(process.env.LEAK_LSP_ARTIFACTS, `${process.env.LEAK_LSP_SCENARIO}-failure.png`);
    await page.screenshot({ path: failure }).catch(() => {});
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report));
