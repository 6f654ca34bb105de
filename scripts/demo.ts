import fs from 'node:fs';
import path from 'node:path';
import { runIngest } from '../cli/ingest-command';
import { runPlan } from '../cli/plan-command';
import { CliError } from '../cli/exit-codes';
import { startSimulator } from '../simulator';
import { demoScenario } from '../simulator/demo-scenario';

/**
 * `npm run demo`: the whole job on one machine with no account. A simulated test result (a dozen
 * sessions of the three product types, reels, clips, transcripts) is ingested into ./demo-output
 * by the embedded default: a local Temporal dev server (state in ./.ut-media) and an in-process worker.
 */
const DEMO_RATE_PER_MINUTE = 120;

async function main(): Promise<number> {
  const scenario = {
    ...demoScenario(),
    // The real API allows 10 requests/min; the demo's simulated account allows more so it ends in about a minute.
    rateLimit: { limit: DEMO_RATE_PER_MINUTE, windowMs: 60_000 },
    generation: { generatingMs: 1500 },
  };
  const sim = await startSimulator({ scenario });
  const test = sim.scenario.tests[0];
  const dest = path.resolve('demo-output');
  fs.mkdirSync(dest, { recursive: true });
  const counts = test.sessions.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.productType]: (acc[s.productType] ?? 0) + 1 }), {});
  process.stderr.write(
    `Simulated UserTesting API at ${sim.baseUrl}: test ${test.testId} with ${test.sessions.length} sessions ` +
      `(${Object.entries(counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}), ${test.reels.length} highlight reels, ` +
      `${test.sessions.reduce((n, s) => n + s.clips.length, 0)} clips; budget ${DEMO_RATE_PER_MINUTE} requests/min.\n`,
  );
  const client = sim.scenario.clients[0];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    UT_API_BASE_URL: sim.baseUrl,
    UT_TOKEN_URL: sim.tokenUrl,
    UT_CLIENT_ID: client.clientId,
    UT_CLIENT_SECRET: client.clientSecret,
    UT_RATE_LIMIT_PER_MINUTE: String(DEMO_RATE_PER_MINUTE),
    UT_POLL_INITIAL_DELAY_MS: '1000',
    UT_POLL_MAX_DELAY_MS: '4000',
    UT_RETRY_INITIAL_INTERVAL_MS: '500',
    UT_ACCESS_TOKEN: '',
  };
  delete env.TEMPORAL_ADDRESS;
  try {
    process.stderr.write('\nFirst `ut-media plan`: what the run will fetch and cost (listing requests only).\n');
    await runPlan({ test: test.testId, dest }, env);
    process.stderr.write('\nThen `ut-media ingest`:\n');
    const code = await runIngest({ test: test.testId, dest }, env);
    const manifest = path.join(dest, `test_id=${test.testId}`, 'manifest.json');
    const page = path.join(dest, `test_id=${test.testId}`, 'index.html');
    process.stdout.write(
      `\nFiles are under ${dest}\nManifest: ${manifest}\nOpen in a browser: file://${page}\nRun \`npm run demo\` again: already stored files are not downloaded twice.\n`,
    );
    return code;
  } finally {
    await sim.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo failed: ${err instanceof CliError ? err.message : (err as Error).stack}\n`);
    process.exit(err instanceof CliError ? err.code : 1);
  },
);
