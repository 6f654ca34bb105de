import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { harnessValue } from '../support/harness-env';

/**
 * Histories of completed runs made by an earlier version (commit 10ad43b, before session details and
 * QXscores), replayed by today's workflow code: a run in flight when workers are upgraded, or a
 * closed one answering `progress` (queries replay the whole history), must not meet a
 * nondeterminism error. New steps stay behind `patched(...)` for that. The files are named after
 * their workflow ids (replay needs them): a test's parent, one of its sessions, and a session
 * started directly without `only` as an embedding host does (it wants every kind, so the new
 * details step would run there but for its patch).
 */
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'histories', '10ad43b');

describe('replaying histories of an earlier version', () => {
  for (const file of fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.bin'))
    .sort()) {
    test(file, () => {
      const replay = spawnSync(
        process.execPath,
        [path.join(__dirname, '..', 'support', 'replay-history.js'), harnessValue('workflowBundle'), path.join(FIXTURES, file), file.replace(/\.bin$/, '')],
        { encoding: 'utf8', timeout: 60_000 },
      );
      // The SDK logs to stderr too; the errors are what tells why a replay failed.
      const errors = replay.stderr.split('\n').filter((line) => /Error|Nondeterminism/.test(line));
      expect({ status: replay.status, errors }).toEqual({ status: 0, errors: [] });
    });
  }
});
