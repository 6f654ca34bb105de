import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CRC32C } from '@google-cloud/storage';
import { locateTool } from '../../scripts/tools';
import { createGcsClient } from '../../storage';
import { generateScenario, startSimulator } from '../../simulator';
import { createPipelineFixture } from '../support/pipeline-fixture';
import { harnessValue } from '../support/harness-env';

/** Proof that each of the three real parts is real (issue #3). */
describe('smoke: the real parts', () => {
  test('a workflow runs on the dev server and `temporal workflow list` shows it by its search attribute', async () => {
    const fx = await createPipelineFixture({
      ...generateScenario({ seed: 7101, sessions: 1, reels: 1 }),
      rateLimit: { limit: 600, windowMs: 60_000 },
      generation: { generatingMs: 10 },
    });
    try {
      await fx.startWorkers();
      const testId = fx.sim.scenario.tests[0].testId;
      const summary = await fx.ingest({ testId, dest: fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-')), only: ['reels'] });
      expect(summary.counts.reel.stored).toBe(1);
      const list = () => {
        const listed = execFileSync(
          locateTool('temporal')!.path,
          ['workflow', 'list', '--address', harnessValue('temporalAddress'), '--query', `UtTestId="${testId}"`, '--output', 'json'],
          { encoding: 'utf8' },
        );
        const rows = listed.trim() ? (JSON.parse(listed) as Array<{ type?: { name?: string }; status?: string }>) : [];
        return rows.map((r) => [r.type?.name, r.status]).sort();
      };
      // Visibility is written after the fact: a row may still read RUNNING for a moment.
      const deadline = Date.now() + 15_000;
      let rows = list();
      while (rows.some(([, status]) => status !== 'WORKFLOW_EXECUTION_STATUS_COMPLETED') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        rows = list();
      }
      // The test's reels run in a child of their own, tagged with the same test id.
      expect(rows).toEqual([
        ['ingestReels', 'WORKFLOW_EXECUTION_STATUS_COMPLETED'],
        ['ingestTestResult', 'WORKFLOW_EXECUTION_STATUS_COMPLETED'],
      ]);
    } finally {
      await fx.close();
    }
  });

  test('an object written with @google-cloud/storage to fake-gcs-server reads back with the crc32c the server reports', async () => {
    const storage = createGcsClient({ STORAGE_EMULATOR_HOST: harnessValue('gcsUrl') });
    const bucket = `smoke-${Date.now()}`;
    await storage.createBucket(bucket);
    const body = Buffer.from('ut-media smoke test '.repeat(5000));
    const file = storage.bucket(bucket).file('smoke/object.bin');
    await file.save(body, { resumable: true, validation: 'crc32c' });
    const [metadata] = await file.getMetadata();
    const [read] = await file.download();
    const ours = new CRC32C();
    ours.update(body);
    expect(read.equals(body)).toBe(true);
    expect(metadata.crc32c).toBe(ours.toString());
  });

  test('a token + request cycle at the simulator shows the rate-limit headers counting down, then 429', async () => {
    const sim = await startSimulator({ scenario: { rateLimit: { limit: 3, windowMs: 60_000 } } });
    try {
      const { clientId, clientSecret } = sim.scenario.clients[0];
      const tokenResponse = await fetch(sim.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'studies:read', client_id: clientId, client_secret: clientSecret }),
      });
      const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
      const testId = sim.scenario.tests[0].testId;
      const seen: Array<[number, string | null, string | null]> = [];
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${sim.baseUrl}/api/v2/sessionResults?testId=${testId}`, { headers: { authorization: `Bearer ${token}` } });
        seen.push([r.status, r.headers.get('x-ratelimit-remaining'), r.headers.get('x-ratelimit-limit')]);
        expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      }
      expect(seen).toEqual([
        [200, '2', '3'],
        [200, '1', '3'],
        [200, '0', '3'],
        [429, '0', '3'],
      ]);
    } finally {
      await sim.close();
    }
  });
});
