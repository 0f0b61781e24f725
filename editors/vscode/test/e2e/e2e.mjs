// End-to-end test of the extension in real VS Code: code-server (VS Code in
// the browser) with the packaged .vsix installed, driven by Chromium through
// playwright-core, on a copy of examples/broken.
//
//   node test/e2e/e2e.mjs --code-server BIN --vsix FILE [--artifacts DIR]
//
// Prints one line a test and closes with `vscode e2e: N passed, M failed`.
// Exit status 0 only when every test passed. Every wait has a limit, and the
// whole run has one (DIMAP_E2E_TIMEOUT seconds, default 600); code-server and
// Chromium are killed on every way out.

import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const extRoot = path.resolve(here, '../..');
const repoRoot = path.resolve(extRoot, '../..');

const { values: args } = parseArgs({
  options: {
    'code-server': { type: 'string' },
    vsix: { type: 'string' },
    artifacts: { type: 'string', default: path.join(here, 'artifacts') },
    chromium: { type: 'string', default: process.env.CHROMIUM ?? '/usr/bin/chromium' },
    workspace: { type: 'string', default: path.join(repoRoot, 'examples', 'broken') },
    keep: { type: 'boolean', default: false },
  },
});
if (!args['code-server'] || !args.vsix) {
  console.error('usage: node test/e2e/e2e.mjs --code-server BIN --vsix FILE [--artifacts DIR]');
  process.exit(2);
}

const OVERALL_S = Number(process.env.DIMAP_E2E_TIMEOUT ?? 600);
const artifacts = path.resolve(args.artifacts);
mkdirSync(artifacts, { recursive: true });
for (const name of readdirSync(artifacts)) {
  rmSync(path.join(artifacts, name), { recursive: true, force: true });
}

const started = Date.now();
const log = (msg) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- processes and clean-up ------------------------------------------------

let codeServer;
let browser;
let tmp;
let cleaned = false;

async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (browser) {
    await Promise.race([browser.close().catch(() => {}), sleep(5000)]);
  }
  if (codeServer && codeServer.exitCode === null && codeServer.signalCode === null) {
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {}
    for (let i = 0; i < 30 && codeServer.exitCode === null && codeServer.signalCode === null; i++) {
      await sleep(100);
    }
    try {
      process.kill(-codeServer.pid, 'SIGKILL');
    } catch {}
  }
  if (tmp) {
    // Keep what helps after a failure: code-server's and VS Code's logs.
    try {
      const logs = path.join(tmp, 'user', 'logs');
      if (existsSync(logs)) cpSync(logs, path.join(artifacts, 'vscode-logs'), { recursive: true });
    } catch {}
    if (!args.keep) rmSync(tmp, { recursive: true, force: true });
  }
}

function killSync() {
  if (codeServer && codeServer.exitCode === null) {
    try {
      process.kill(-codeServer.pid, 'SIGKILL');
    } catch {}
  }
  // Chromium, launched by playwright: its process group too.
  const chrome = browser?.process?.();
  if (chrome?.pid && chrome.exitCode === null) {
    try {
      process.kill(chrome.pid, 'SIGKILL');
    } catch {}
  }
}
process.on('exit', killSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    log(`${signal}: stopping`);
    await cleanup();
    process.exit(130);
  });
}

const overall = setTimeout(() => {
  // Past the limit: stop everything now, whatever the tests are doing.
  console.error(`[e2e] the whole run took longer than ${OVERALL_S}s (DIMAP_E2E_TIMEOUT): giving up`);
  killSync();
  if (tmp && !args.keep) rmSync(tmp, { recursive: true, force: true });
  const ok = results.filter((r) => r.ok).length;
  console.log(`vscode e2e: ${ok} passed, ${results.length - ok + 1} failed`);
  process.exit(1);
}, OVERALL_S * 1000);
overall.unref();

// ---- helpers ---------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value; throws `what` after `ms`. */
async function until(what, fn, ms = 30_000, every = 250) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

let page;

async function shot(name) {
  if (!page) return undefined;
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, timeout: 15_000 });
  return file;
}

/** The text of the status bar item of the extension (undefined while there is none). */
async function dimapStatus() {
  return page.evaluate(() => {
    const items = [...document.querySelectorAll('.statusbar-item')];
    const item = items.find((el) => /dimap:/.test(el.textContent ?? ''));
    return item ? item.textContent.trim().replace(/\s+/g, ' ') : undefined;
  });
}

async function focusEditor() {
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await editor.click({ position: { x: 5, y: 5 }, timeout: 10_000 }).catch(() => {});
}

async function quickInputVisible() {
  return page.locator('.quick-input-widget').isVisible();
}

async function closeQuickInput() {
  for (let i = 0; i < 3 && (await quickInputVisible()); i++) {
    await page.keyboard.press('Escape');
    await sleep(200);
  }
}

/** Runs a command from the command palette by its title. */
async function runCommand(title) {
  await closeQuickInput();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Opens a workspace file with Quick Open. */
async function openFile(relative) {
  const base = path.basename(relative);
  await until(`${relative} to open`, async () => {
    await closeQuickInput();
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(relative);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: base }).first();
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page
      .locator('.tabs-container .tab.active', { hasText: base })
      .waitFor({ state: 'visible', timeout: 10_000 });
    return true;
  }, 60_000, 1000);
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor({ timeout: 15_000 });
}

/** Moves the cursor to a 1-based line and column with Go to Line. */
async function gotoLine(line, column) {
  await closeQuickInput();
  await focusEditor();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await sleep(300);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Throws away unsaved edits of the active editor. */
async function revertActive() {
  await runCommand('File: Revert File');
  await until('the editor to be clean', async () => (await page.locator('.tabs-container .tab.active.dirty').count()) === 0, 10_000);
}

/** The text the active editor shows (its visible lines), with plain spaces. */
async function editorText() {
  const text = await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().textContent();
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** The log file of the extension's output channel (VS Code writes one per log output channel). */
function dimapLog() {
  const logs = path.join(tmp, 'user', 'logs');
  const found = [];
  const walk = (dir) => {
    for (const name of existsSync(dir) ? readdirSync(dir) : []) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === 'dimap.log') found.push(full);
    }
  };
  walk(logs);
  return found.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** Opens `relative` and throws away what an earlier test left unsaved in it. */
async function openClean(relative) {
  await openFile(relative);
  if ((await page.locator('.tabs-container .tab.active.dirty').count()) > 0) {
    await revertActive();
  }
}

/** 1-based line of the first line of `file` that matches `re`. */
function lineOf(file, re) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const index = lines.findIndex((l) => re.test(l));
  if (index < 0) throw new Error(`no line of ${file} matches ${re}`);
  return { line: index + 1, text: lines[index] };
}

async function problemsText() {
  return page.evaluate(() => {
    const panel = document.querySelector('.markers-panel');
    return panel ? panel.textContent ?? '' : '';
  });
}

/** Filters the Problems panel by `text` ('' clears the filter). */
async function filterProblems(text) {
  await showProblems();
  // The panel's filter box of the Problems view (the Output view has its own).
  const filter = page.locator('.part.panel .viewpane-filter input:visible').first();
  await filter.waitFor({ state: 'visible', timeout: 10_000 });
  await filter.fill(text);
  await sleep(500);
}

/** Whether the Problems panel lists a finding with `code` (the panel is left filtered by it). */
async function problemListed(code) {
  await filterProblems(code);
  const text = await problemsText();
  return text.includes(code);
}

async function showProblems() {
  if (await page.locator('.markers-panel').isVisible().catch(() => false)) return;
  await focusEditor();
  await page.keyboard.press('Control+Shift+M');
  await page
    .locator('.markers-panel')
    .waitFor({ state: 'visible', timeout: 10_000 })
    .catch(async () => {
      await runCommand('View: Focus Problems');
      await page.locator('.markers-panel').waitFor({ state: 'visible', timeout: 15_000 });
    });
}

// ---- the tests -------------------------------------------------------------

const results = [];
let workspace;
let initialEnvironments;
let userSettings;
let userSettingsFile;

async function test(name, fn, ms = 90_000) {
  const t0 = Date.now();
  let timer;
  try {
    // Close whatever an earlier test left open (menus, hovers, widgets).
    for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`test took longer than ${ms / 1000}s`)), ms);
      }),
    ]);
    results.push({ name, ok: true });
    log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (error) {
    results.push({ name, ok: false, error });
    log(`FAIL ${name}: ${error.message}`);
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await shot(`fail-${slug}`).catch(() => {});
  } finally {
    clearTimeout(timer);
    await closeQuickInput().catch(() => {});
  }
}

async function main() {
  tmp = mkdtempSync(path.join(tmpdir(), 'dimap-vscode-e2e-'));
  const user = path.join(tmp, 'user');
  const extensions = path.join(tmp, 'extensions');
  const xdg = path.join(tmp, 'xdg');
  workspace = path.join(tmp, 'broken');
  for (const dir of [user, extensions, xdg]) mkdirSync(dir, { recursive: true });
  cpSync(args.workspace, workspace, { recursive: true });

  mkdirSync(path.join(user, 'User'), { recursive: true });
  userSettingsFile = path.join(user, 'User', 'settings.json');
  userSettings = {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'git.enabled': false,
        'chat.commandCenter.enabled': false,
        'editor.minimap.enabled': false,
        'editor.fontSize': 14,
        'files.autoSave': 'off',
        'dimap.diagnostics.debounceMs': 0,
        'dimap.trace.server': process.env.DIMAP_E2E_TRACE ? 'messages' : 'off',
  };
  writeFileSync(userSettingsFile, JSON.stringify(userSettings, null, 2));

  const env = { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: path.join(tmp, 'xdg-data') };
  const cs = path.resolve(args['code-server']);
  log(`installing ${path.basename(args.vsix)} into code-server`);
  execFileSync(cs, ['--install-extension', path.resolve(args.vsix), '--extensions-dir', extensions, '--user-data-dir', user], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 120_000,
  });

  const port = await freePort();
  const serverLog = createWriteStream(path.join(artifacts, 'code-server.log'));
  log(`starting code-server on 127.0.0.1:${port}`);
  codeServer = spawn(
    cs,
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', user,
      '--extensions-dir', extensions,
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  codeServer.stdout.pipe(serverLog);
  codeServer.stderr.pipe(serverLog);
  codeServer.on('exit', (code, signal) => {
    if (!cleaned) log(`code-server exited (${code ?? signal})`);
  });

  const base = `http://127.0.0.1:${port}`;
  await until('code-server to answer /healthz', async () => {
    if (codeServer.exitCode !== null) throw new Error('code-server exited; see artifacts/code-server.log');
    const response = await fetch(`${base}/healthz`).catch(() => undefined);
    return response?.ok;
  }, 90_000, 500);

  log('starting Chromium');
  browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleLog = createWriteStream(path.join(artifacts, 'browser-console.log'));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));

  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`, { timeout: 90_000 });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  log('workbench loaded');
  await sleep(2000);

  const currencies = path.join(workspace, 'maps', 'currencies.dimap');

  await test('extension starts the server and the status bar shows its cached environments', async () => {
    await openFile('maps/currencies.dimap');
    const text = await until('the dimap status bar item to show ready', async () => {
      const status = await dimapStatus();
      return status && /dimap: \d+ environments?/.test(status) ? status : undefined;
    }, 60_000);
    initialEnvironments = Number(/dimap: (\d+)/.exec(text)[1]);
    if (!(initialEnvironments >= 1)) throw new Error(`status bar says "${text}"`);
    log(`     status bar: "${text}"`);
  });

  await test('Problems panel lists DIPV findings of the workspace', async () => {
    await showProblems();
    const codes = await until('DIPV1031 and other DIPV codes in the Problems panel', async () => {
      const text = await problemsText();
      const found = new Set(text.match(/DIPV\d{4}/g) ?? []);
      return found.has('DIPV1031') && found.size >= 3 ? found : undefined;
    }, 60_000);
    log(`     Problems panel: ${[...codes].sort().join(' ')}`);
  });

  await test('completion after `dv.` in a map header lists Dataverse entities', async () => {
    const { line, text } = lineOf(currencies, /^\s*map currencies /);
    const column = text.indexOf('dv.') + 1;
    // Select `dv.transactioncurrency` and type `dv.` again: `.` triggers completion.
    await gotoLine(line, column);
    for (let i = 0; i < 'dv.transactioncurrency'.length; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.type('dv.', { delay: 50 });
    const suggest = page.locator('.editor-widget.suggest-widget.visible');
    const entities = async () => {
      const rows = (await suggest.locator('.monaco-list-row .label-name').allTextContents()).map((r) => r.trim());
      return rows.includes('account') ? rows : undefined;
    };
    let labels = await until('entity names right after `dv.`', async () => {
      if (!(await suggest.isVisible())) {
        await page.keyboard.press('Control+Space');
        await suggest.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => {});
      }
      return entities();
    }, 6_000, 1000).catch(() => undefined);
    if (!labels) {
      // The server answers once a letter of the entity is typed.
      log('     (no entity names right after `dv.`; asking again after `dv.a`)');
      await page.keyboard.press('Escape');
      await page.keyboard.type('a', { delay: 50 });
      labels = await until('the suggest widget to list account after `dv.a`', async () => {
        if (!(await suggest.isVisible())) {
          await page.keyboard.press('Control+Space');
          await suggest.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => {});
        }
        return entities();
      }, 45_000, 1000);
    }
    log(`     suggestions: ${labels.slice(0, 8).join(', ')}`);
    await shot('completion');
    await page.keyboard.press('Escape');
    await revertActive();
    await until('the map header as it was', async () => (await editorText()).includes('dv.transactioncurrency {'), 10_000);
  });

  await test('hover on a field shows its cached type', async () => {
    await openClean('maps/currencies.dimap');
    const { line, text } = lineOf(currencies, /DIPV1031/);
    await gotoLine(line, text.indexOf('currencyname') + 3);
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-resizable-hover .monaco-hover-content').first();
    const content = await until('the hover of currencyname', async () => {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      await hover.waitFor({ state: 'visible', timeout: 4_000 }).catch(() => {});
      const t = (await hover.textContent().catch(() => '')) ?? '';
      // The field's hover: name, cached type and whether it is required.
      return /currencyname/.test(t) && /string\(\d+\)/.test(t) ? t : undefined;
    }, 45_000, 1500);
    const field = content.replace(/\s+/g, ' ');
    log(`     hover: …${field.slice(Math.max(0, field.search(/currencyname\s*·/)), Math.max(0, field.search(/currencyname\s*·/)) + 60)}…`);
    await page.keyboard.press('Escape');
  });

  await test('the DIPV1031 quick-fix adds a default to the line', async () => {
    await openClean('maps/currencies.dimap');
    const { line, text } = lineOf(currencies, /DIPV1031/);
    await showProblems();
    await gotoLine(line, text.indexOf('NAME') + 1);
    const menu = page.locator('.action-widget');
    const item = menu.locator('.monaco-list-row', { hasText: /default/i }).first();
    await until('the quick-fix menu with a default fix', async () => {
      if (!(await menu.isVisible())) {
        await page.keyboard.press('Control+.');
        await menu.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
      }
      return item.isVisible();
    }, 45_000, 1000);
    await sleep(500);
    await shot('quick-fix');
    // Choose it with the keyboard (the menu sits under a pointer block).
    let chosen;
    for (let i = 0; i < 12 && !chosen; i++) {
      const label = (await menu.locator('.monaco-list-row.focused').first().getAttribute('aria-label').catch(() => '')) ?? '';
      if (/default/i.test(label)) chosen = label;
      else await page.keyboard.press('ArrowDown');
    }
    if (!chosen) throw new Error('no quick-fix with "default" could be focused in the menu');
    log(`     quick-fix: ${chosen}`);
    await page.keyboard.press('Enter');
    await until('the fix to be applied in the editor', async () => /NAME\b.*>>?\s.*\bcurrencyname\b.*\bdefault\b/.test(await editorText()), 15_000);
    await page.keyboard.press('Control+S');
    const fixed = await until('the saved line to have a default', () => {
      const now = readFileSync(currencies, 'utf8').split('\n')[line - 1];
      return /\bdefault\b/.test(now) ? now : undefined;
    }, 20_000);
    log(`     line ${line}: ${fixed.trim()}`);
    await until('DIPV1031 to leave the Problems panel', async () => !(await problemListed('DIPV1031')), 30_000);
    await filterProblems('');
    await shot('after-fix');
  });

  await test('"dimap: Import schema…" imports a CSDL file and the server reloads', async () => {
    const fixture = path.join(here, 'fixtures', 'contoso-archive.xml');
    const target = path.join(workspace, '.dimap', 'schemas', 'contoso-archive.json');
    if (!(await problemListed('DIPV1005'))) {
      throw new Error('expected DIPV1005 (no cached schema for contoso-archive) before the import');
    }
    await runCommand('dimap: Import schema');
    // code-server's file dialog is VS Code's simple dialog: a path box.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // It fills in the workspace folder and lists it; type the file's path
    // once it has settled, and accept it when the box still holds it.
    await until('the file dialog to list the workspace folder', async () => (await input.inputValue()).endsWith('/'), 15_000);
    await sleep(1000);
    await until('the file dialog to take the fixture path', async () => {
      await input.fill(fixture);
      await sleep(700);
      return (await input.inputValue()) === fixture;
    }, 15_000, 500);
    await page.keyboard.press('Enter');
    // Environment name, guessed from the file name.
    await until('the environment input box', async () => (await input.inputValue()) === 'contoso-archive', 15_000);
    await page.keyboard.press('Enter');
    // App: pick dataverse.
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'dataverse' }).first().waitFor({ timeout: 15_000 });
    await input.fill('dataverse');
    await sleep(300);
    await page.keyboard.press('Enter');
    await until(`${target} to be written`, () => existsSync(target) && statSync(target).size > 0, 30_000);
    await until('the notification of the import', async () => {
      const toasts = await page.locator('.notifications-toasts').textContent().catch(() => '');
      return /imported the schema of "contoso-archive"/.test(toasts ?? '');
    }, 20_000);
    const status = await until('the status bar to count one more environment', async () => {
      const s = await dimapStatus();
      const n = s ? Number(/dimap: (\d+) environments?/.exec(s)?.[1]) : NaN;
      return n === initialEnvironments + 1 ? s : undefined;
    }, 45_000);
    log(`     status bar: "${status}"`);
    await until('DIPV1005 to leave the Problems panel', async () => !(await problemListed('DIPV1005')), 45_000);
    await filterProblems('');
  }, 150_000);

  await test('"dimap: Restart server" restarts it and it comes back ready', async () => {
    const starts = () => (dimapLog().match(/\] Starting .* lsp /g) ?? []).length;
    const before = starts();
    await runCommand('dimap: Restart server');
    await until('a second server to start', () => starts() === before + 1, 20_000);
    await until('the status bar to leave ready', async () => {
      const s = await dimapStatus();
      return s && !/environments?/.test(s);
    }, 3_000, 50).catch(() => {
      // A fast restart may go by between two looks; the ready state below
      // and the output channel say the rest.
    });
    const status = await until('the status bar to be ready again', async () => {
      const s = await dimapStatus();
      return s && /dimap: \d+ environments?/.test(s) ? s : undefined;
    }, 60_000);
    // The channel's log file says what happened; the command shows the channel.
    await until('the dimap log to show the restart', () => /Restarting the dimap language server/.test(dimapLog()), 15_000);
    await runCommand('dimap: Show output');
    await until('the Output view to show', async () => {
      const active = await page.locator('.part.panel .action-item.checked').allTextContents().catch(() => []);
      return active.some((t) => /output/i.test(t));
    }, 15_000);
    log(`     status bar: "${status}"`);
  });

  await test('dimap.diagnostics.severity turns a code off, and back on when the setting goes', async () => {
    const warning = 'DIMAP0009';
    const folderSettings = path.join(workspace, '.vscode', 'settings.json');
    await until(`${warning} in the Problems panel`, () => problemListed(warning), 30_000);
    // The folder's settings file changes; VS Code reads it, the extension
    // tells the server (workspace/didChangeConfiguration).
    mkdirSync(path.dirname(folderSettings), { recursive: true });
    writeFileSync(folderSettings, JSON.stringify({ 'dimap.diagnostics.severity': { [warning]: 'off' } }, null, 2));
    await until(`${warning} to leave the Problems panel`, async () => !(await problemListed(warning)), 45_000, 1000);
    // Taking the override away restarts the server, which reports it again.
    writeFileSync(folderSettings, '{}\n');
    await until(`${warning} to come back`, () => problemListed(warning), 60_000, 1000);
    await filterProblems('');
  }, 150_000);

  await test('the DIPV1027 quick-fix menu offers to expand a bare lookup', async () => {
    await openClean('maps/vendors.dimap');
    const vendors = path.join(workspace, 'maps', 'vendors.dimap');
    const { line, text } = lineOf(vendors, /DIPV1027/);
    await showProblems();
    await gotoLine(line, text.indexOf('DEFAULTPAYMENTTERMSNAME') + 1);
    const menu = page.locator('.action-widget');
    const expand = menu.locator('.monaco-list-row', { hasText: /Expand to/ }).first();
    await until('the quick-fix menu to offer "Expand to …"', async () => {
      if (!(await menu.isVisible())) {
        await page.keyboard.press('Control+.');
        await menu.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => {});
      }
      return expand.isVisible();
    }, 45_000, 1000);
    log(`     quick-fix: ${(await expand.textContent()).trim()}`);
    await sleep(500);
    await shot('quick-fix-lookup');
    await page.keyboard.press('Escape');
  });
}

let exitCode = 1;
try {
  await main();
  exitCode = results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  log(`setup failed: ${error.stack ?? error.message}`);
  await shot('setup-failure').catch(() => {});
  results.push({ name: 'setup', ok: false, error });
} finally {
  await cleanup();
  clearTimeout(overall);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
for (const r of results.filter((r) => !r.ok)) console.log(`  failed: ${r.name}: ${r.error?.message ?? r.error}`);
console.log(`vscode e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? exitCode : 1);
