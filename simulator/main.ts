import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_CLIENT, generateScenario, startSimulator, type ScenarioInput } from './index';

/**
 * `node dist/simulator/main.js [--port 8080] [--host 127.0.0.1] [--scenario file.json]
 *  [--sessions N] [--reels N] [--seed S] [--rate-limit N] [--generating-ms MS] [--verbose]`
 * Starts the simulator and prints how to point ut-media at it. Stops on SIGINT/SIGTERM.
 */

const USAGE = `Usage: node dist/simulator/main.js [options]
  --port N           port to listen on (default 8080; 0 = any free port)
  --host H           interface (default 127.0.0.1)
  --scenario FILE    scenario JSON (see simulator/scenario.ts); other flags override its fields
  --sessions N       generate one test with N sessions (with --seed, --reels)
  --reels N          highlight reels of the generated test (default 2)
  --seed S           seed of everything generated (default 1)
  --rate-limit N     requests per minute per client (default 10)
  --generating-ms MS how long a reel/clip generates (default 2000)
  --verbose          log every request (paths only)
  --help`;

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new Error(`--${name} must be an integer, got '${value}'`);
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      scenario: { type: 'string' },
      sessions: { type: 'string' },
      reels: { type: 'string' },
      seed: { type: 'string' },
      'rate-limit': { type: 'string' },
      'generating-ms': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let scenario: ScenarioInput = values.scenario ? (JSON.parse(readFileSync(values.scenario, 'utf8')) as ScenarioInput) : {};
  const seed = intFlag(values.seed, 'seed');
  const sessions = intFlag(values.sessions, 'sessions');
  if (seed !== undefined) scenario = { ...scenario, seed };
  if (sessions !== undefined) {
    const generated = generateScenario({ seed: seed ?? scenario.seed ?? 1, sessions, reels: intFlag(values.reels, 'reels') ?? 2 });
    scenario = { ...scenario, ...generated };
  }
  const rate = intFlag(values['rate-limit'], 'rate-limit');
  if (rate !== undefined) scenario = { ...scenario, rateLimit: { ...scenario.rateLimit, limit: rate } };
  const generatingMs = intFlag(values['generating-ms'], 'generating-ms');
  if (generatingMs !== undefined) scenario = { ...scenario, generation: { ...scenario.generation, generatingMs } };

  const sim = await startSimulator({
    scenario,
    port: intFlag(values.port, 'port') ?? 8080,
    host: values.host,
    log: values.verbose ? (line) => console.log(line) : undefined,
  });
  const client = sim.scenario.clients[0];
  const secret =
    client && client.clientId === DEMO_CLIENT.clientId && client.clientSecret === DEMO_CLIENT.clientSecret
      ? client.clientSecret
      : '<the clientSecret from your scenario>';
  console.log(`UserTesting Results API simulator listening on ${sim.baseUrl}`);
  console.log(`  API base:  ${sim.baseUrl}/api/v2 (session details: /api/v3)`);
  console.log(`  token URL: ${sim.tokenUrl}`);
  console.log(`  rate limit: ${sim.scenario.rateLimit.limit} requests per ${sim.scenario.rateLimit.windowMs} ms per client`);
  console.log('\nPoint ut-media at it:');
  console.log(`  export UT_API_BASE_URL=${sim.baseUrl}`);
  console.log(`  export UT_TOKEN_URL=${sim.tokenUrl}`);
  if (client) {
    console.log(`  export UT_CLIENT_ID=${client.clientId}`);
    console.log(`  export UT_CLIENT_SECRET=${secret}`);
  }
  console.log('\nTests:');
  for (const test of sim.scenario.tests) {
    const kinds = [...new Set(test.sessions.map((s) => s.productType))].join(', ') || 'no sessions';
    console.log(`  ${test.testId}  ${test.sessions.length} sessions (${kinds}), ${test.reels.length} reels`);
  }
  console.log('\nStats: GET /__simulator/stats   (Ctrl-C to stop)');

  const stop = (signal: string) => {
    console.log(`\n${signal}: stopping the simulator`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(`simulator: ${err.message}`);
  process.exit(2);
});
