#!/usr/bin/env node
'use strict';
// Set-up for `npm test`, `npm run test:fast`, `npm run demo` and `npm run bench`: npm dependencies,
// the Temporal CLI, Temporal's time-skipping test server, fake-gcs-server and moto's S3 server. Idempotent, and silent
// when everything is already there (with --quiet).
require('../bin/node-version.js').requireSupportedNode('ut-media set-up');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ensureTool, PROJECT_ROOT } = require('./tools');

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

/**
 * Debian's Chromium, for the archive page's browser test and bench (`npm test`, `npm run bench`): installed with
 * apt when it is missing and apt is usable (root); elsewhere the browser test skips and says why.
 */
function ensureChromium() {
  const candidates = [process.env.UT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (found) {
    if (!quiet) log(`chromium: ${found}`);
    return;
  }
  const apt = ['/usr/bin/apt-get', '/bin/apt-get'].find((candidate) => fs.existsSync(candidate));
  if (!apt || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    log('chromium: not found and apt-get is not usable here (not root, or no apt): the archive page browser test will be skipped');
    return;
  }
  log('installing chromium with apt-get (for the archive page browser test) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(apt, ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const install = update.status === 0 ? spawnSync(apt, ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env }) : update;
  if (install.status !== 0) log('chromium: apt-get failed (see above): the archive page browser test will be skipped');
}

main();
if (!args.has('--no-binaries') && !args.has('--temporal-only') && !args.has('--test-server-only')) ensureChromium();
