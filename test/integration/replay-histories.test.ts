import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { harnessValue } from '../support/harness-env';

/**
 * Histories of completed runs made by earlier versions, replayed by today's workflow code: a run in
 * flight when workers are upgraded, or a closed one answering `progress` (queries replay the whole
 * history), must not meet a nondeterminism error. New steps stay behind `patched(...)` for that.
 * One folder per recording commit (test/fixtures/histories/README.md says how they were recorded);
 * the files are named after their workflow ids (replay needs them).
 * - 10ad43b, before session details and QXscores: a test's parent, one of its sessions, and a
 *   session started directly without `only` as an embedding host does (it wants every kind, so the
 *   new details step would run there but for its patch).
 * - 4250ea4, before withdrawals: a test's parent, its reels child and a plan, each of which would
 *   record or look up a listing but for `patched('withdrawals')`.
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'histories');
const RECORDED = fs
  .readdirSync(FIXTURES)
  .filter((commit) => fs.statSync(path.join(FIXTURES, commit)).isDirectory())
  .sort()
  .flatMap((commit) =>
    fs
      .readdirSync(path.join(FIXTURES, commit))
      .filter((f) => f.endsWith('.bin'))
      .sort()
      .map((file) => [commit, file] as const),
  );

describe('replaying histories of earlier versions', () => {
  test.each(RECORDED)('%s: %s', (commit, file) => {
    const replay = spawnSync(
      process.execPath,
      [
        path.join(__dirname, '..', 'support', 'replay-history.js'),
        harnessValue('workflowBundle'),
        path.join(FIXTURES, commit, file),
        file.replace(/\.bin$/, ''),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    // The SDK logs to stderr too; the errors are what tells why a replay failed.
    const errors = replay.stderr.split('\n').filter((line) => /Error|Nondeterminism/.test(line));
    expect({ status: replay.status, errors }).toEqual({ status: 0, errors: [] });
  });
});
