import { spawnCli } from '../support/processes';

/** `--version` and each command's help with an example, as a new user first tries them. */
describe('ut-media --version and --help', () => {
  test('--version prints the package version and exits 0', async () => {
    const cli = spawnCli(['--version'], {});
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout.trim()).toBe(require('../../package.json').version);
  });

  test.each(['ingest', 'worker', 'status', 'verify', 'schedule'])('%s --help shows an example and exits 0', async (command) => {
    const cli = spawnCli([command, '--help'], {});
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toMatch(new RegExp(`Examples?:\\n  \\$ .*ut-media ${command}`));
  });
});
