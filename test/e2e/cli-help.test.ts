import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { spawnCli } from '../support/processes';

/** `--version` and each command's help with an example, as a new user first tries them. */
describe('ut-media --version and --help', () => {
  test('--version prints the package version and exits 0', async () => {
    const cli = spawnCli(['--version'], {});
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version);
  });

  test('on this Node the CLI starts: the version check lets it through', () => {
    const run = spawnSync(process.execPath, [path.join(__dirname, '../../bin/ut-media.js'), '--version'], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/too old/);
    expect(run.status).toBe(0);
  });

  test.each(['ingest', 'plan', 'worker', 'status', 'verify', 'index', 'schedule'])('%s --help shows an example and exits 0', async (command) => {
    const cli = spawnCli([command, '--help'], {});
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toMatch(new RegExp(`Examples?:\\n  \\$ .*ut-media ${command}`));
  });

  test('piped into a reader that is gone (`| head`, `| true`): exits 0 without a stack trace', () => {
    const cli = path.join(__dirname, '..', '..', 'bin', 'ut-media.js');
    // `true` exits before node has started, so the help is written to a pipe nobody reads (EPIPE).
    const piped = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cli}" ingest --help | true`], { encoding: 'utf8' });
    expect({ status: piped.status, stderr: piped.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
