#!/usr/bin/env node
'use strict';
// Set-up for `npm test`, `npm run test:fast`, `npm run demo` and `npm run bench`: npm dependencies,
// the Temporal CLI, Temporal's time-skipping test server, fake-gcs-server, moto's S3 server and Chromium. Idempotent, and silent
// when everything is already there (with --quiet).
require('../bin/node-version.js').requireSupportedNode('ut-media set-up');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ensureTool, locateChromium, onPath, CHROMIUM_COMMANDS, PROJECT_ROOT } = require('./tools');

const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const log = (msg) => process.stderr.write(`[install-tools] ${msg}\n`);

function dependenciesAreInstalled() {
  const marker = path.join(PROJECT_ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(PROJECT_ROOT, 'package-lock.json');
  if (!fs.existsSync(marker)) return false;
  return !fs.existsSync(lock) || fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs;
}

/** node_modules that is a link to another checkout's (a git worktree sharing one): not ours to reinstall. */
function linkedDependencies() {
  try {
    const dir = path.join(PROJECT_ROOT, 'node_modules');
    return fs.lstatSync(dir).isSymbolicLink() ? fs.realpathSync(dir) : undefined;
  } catch {
    return undefined;
  }
}

function main() {
  const linked = linkedDependencies();
  if (linked) {
    // npm ci would empty the linked folder under whoever else uses it, then replace the link with a folder.
    if (!dependenciesAreInstalled()) log(`node_modules links to ${linked}: left as it is (run npm ci there if the dependencies changed)`);
  } else if (!dependenciesAreInstalled()) {
    log('installing npm dependencies (npm ci) ...');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      log('npm ci failed; see the output above.');
      process.exit(1);
    }
  }
  if (args.has('--no-binaries')) return;
  // The demo needs only the Temporal CLI, the fast tests only the test server; `npm test` and the bench need all.
  const names = args.has('--temporal-only')
    ? ['temporal']
    : args.has('--test-server-only')
      ? ['temporal-test-server']
      : ['temporal', 'temporal-test-server', 'fake-gcs-server', 'moto'];
  for (const name of names) {
    try {
      const found = ensureTool(name, log);
      if (!quiet) log(`${name}: ${found.path ?? '(the Temporal SDK will download it at first use)'} [${found.source}]`);
      else if (!found.path) log(`${name}: not found locally; the Temporal SDK will try to download it (needs internet)`);
    } catch (err) {
      log(err.message);
      process.exit(1);
    }
  }
}

/** The last lines a failed command printed: the reason, without apt's progress chatter. */
function reasonOf(result) {
  if (result.error) return result.error.message;
  const lines = `${result.stderr || ''}\n${result.stdout || ''}`.trim().split('\n').filter(Boolean);
  return lines.length ? lines.slice(-3).join(' | ') : `exit status ${result.status}`;
}

/**
 * Debian's Chromium, for the archive page's browser test and bench (`npm test`, `npm run bench`).
 * Nothing is installed when one is found (UT_CHROMIUM, or chromium on PATH). Otherwise, as root with
 * apt-get, it is installed without the recommended desktop packages (printer set-up, samba, udev, ...:
 * 26 packages instead of 115, about 125 MB to download); the fonts the page is drawn with are
 * named. Where that is impossible or fails, the reason is printed and the browser test skips.
 */
function ensureChromium() {
  const found = locateChromium();
  if (found) {
    if (!quiet) log(`chromium: ${found.path} [${found.source}]`);
    return;
  }
  const skipped = 'the archive page browser test and bench row will be skipped';
  if (process.env.UT_CHROMIUM) return log(`chromium: UT_CHROMIUM=${process.env.UT_CHROMIUM} is not an executable file: ${skipped}`);
  const apt = onPath('apt-get');
  if (!apt) return log(`chromium: not found (UT_CHROMIUM, or ${CHROMIUM_COMMANDS.join('/')} on PATH) and there is no apt-get: ${skipped}`);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return log(`chromium: not found and not root, so apt-get cannot install it (as root: apt-get install chromium): ${skipped}`);
  }
  log('installing chromium with apt-get (for the archive page browser test; about a minute) ...');
  const began = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (...args) => spawnSync(apt, ['-qq', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8' });
  const update = aptGet('update');
  if (update.status !== 0) return log(`chromium: apt-get update failed: ${reasonOf(update)}: ${skipped}`);
  const install = aptGet('install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation');
  if (install.status !== 0) return log(`chromium: apt-get install chromium failed: ${reasonOf(install)}: ${skipped}`);
  const installed = locateChromium();
  if (!installed) return log(`chromium: apt-get installed it, but no ${CHROMIUM_COMMANDS.join('/')} is on PATH: ${skipped}`);
  log(`chromium: ${installed.path}, installed with apt-get in ${Math.round((Date.now() - began) / 1000)} s`);
}

main();
if (!args.has('--no-binaries') && !args.has('--temporal-only') && !args.has('--test-server-only')) ensureChromium();
