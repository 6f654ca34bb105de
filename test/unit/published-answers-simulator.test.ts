/**
 * The simulator answers as the published description says: a sample of its answers for every
 * operation (generated worlds, any page size and offset, known and unknown ids) is checked against
 * the description's schemas with the validator the generated-answer suite uses: documented status
 * codes only, the documented content type, bodies and rate-limit headers that conform.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import { answersSeed, Findings } from '../support/answer-findings';
import { brief, conformanceProblems } from '../support/openapi-validator';
import { loadPublishedDescription } from '../support/published-description';
import { CLIENT_OPERATIONS, pathPattern, publishedOperation, type ClientOperation } from '../support/published-operations';

const loaded = loadPublishedDescription();
const published = 'description' in loaded ? loaded.description : undefined;
if ('missing' in loaded) process.stdout.write(`published-answers-simulator.test.ts skipped: ${loaded.missing}\n`);
const suite = published ? describe : describe.skip;

const SEED = answersSeed();
const TOKEN = 'sim-token-6f2d8c1a9e7b4d30';
const PRODUCT_MIX = { SURVEY: 1, NON_THINK_OUT_LOUD: 1, THINK_OUT_LOUD: 1, LIVE_CONVERSATION: 1 };
const SMALL = { videoBytes: [2_000, 4_000] as [number, number], clipBytes: [1_000, 2_000] as [number, number], reelBytes: [1_000, 2_000] as [number, number] };

suite('generated answers: the simulator conforms to the published description', () => {
  test('a sample of the answers to every operation conforms', async () => {
    const findings = new Findings();
    const validated = new Map<ClientOperation, number>();
    const world = fc.record({
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
      sessions: fc.integer({ min: 1, max: 8 }),
      reels: fc.integer({ min: 1, max: 3 }),
      pageCap: fc.integer({ min: 1, max: 500 }),
      limit: fc.integer({ min: 1, max: 500 }),
      offset: fc.integer({ min: 0, max: 10 }),
    });
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        const scenario = generateScenario({ seed: w.seed, sessions: w.sessions, reels: w.reels, clipsPerSession: [0, 2], productMix: PRODUCT_MIX, ...SMALL });
        // Every world has an interaction session with a clip, so every operation has answers to check.
        const [first] = scenario.tests[0].sessions;
        first.productType = 'NON_THINK_OUT_LOUD';
        if (!first.clips.length)
          first.clips.push({
            uuid: crypto.randomUUID(),
            name: 'Always one clip',
            description: '',
            timeStartMs: 2_000,
            timeEndMs: 9_000,
            hasAudio: true,
            hasCamera: false,
            bytes: 1_000,
          });
        const sim = await startSimulator({
          scenario: {
            ...scenario,
            staticTokens: [TOKEN],
            rateLimit: { limit: 100_000, windowMs: 60_000 },
            generation: { generatingMs: 0 },
            pageCap: w.pageCap,
          },
        });
        try {
          const ask = (operation: ClientOperation, path: string) => askAndCheck(sim, operation, path, findings, validated);
          const test = scenario.tests[0];
          const unknown = crypto.randomUUID();
          await ask('listSessions', `/api/v2/sessionResults?testId=${test.testId}&limit=${w.limit}&offset=${w.offset}`);
          await ask('listSessions', `/api/v2/sessionResults?testId=${unknown}`);
          await ask('listReels', `/api/v2/testResults/${test.testId}/highlightreels`);
          await ask('qxScores', `/api/v2/testResults/${test.testId}/qxScores`);
          await ask('qxScores', `/api/v2/testResults/${unknown}/qxScores`);
          for (const reel of test.reels) {
            // The first ask starts the generation; the second finds it done.
            await ask('reelDetail', `/api/v2/testResults/${test.testId}/highlightreels/${reel.uuid}`);
            await ask('reelDetail', `/api/v2/testResults/${test.testId}/highlightreels/${reel.uuid}`);
          }
          await ask('reelDetail', `/api/v2/testResults/${test.testId}/highlightreels/${unknown}`);
          for (const session of test.sessions) {
            await ask('listClips', `/api/v2/sessionResults/${session.sessionId}/clips`);
            for (const clip of session.clips.slice(0, 1)) {
              await ask('clipDetail', `/api/v2/sessionResults/${session.sessionId}/clips/${clip.uuid}`);
              await ask('clipDetail', `/api/v2/sessionResults/${session.sessionId}/clips/${clip.uuid}`);
            }
            await ask('videoDownloadUrl', `/api/v2/sessionResults/${session.sessionId}/videoDownloadUrl`);
            await ask('transcript', `/api/v2/sessionResults/${session.sessionId}/transcript`);
            await ask('sessionDetails', `/api/v3/sessionResults/${session.sessionId}`);
          }
          for (const operation of ['listClips', 'videoDownloadUrl', 'transcript', 'sessionDetails'] as const) {
            const path = publishedOperation(published!, operation).path.replace('{sessionId}', unknown);
            await ask(operation, path);
          }
        } finally {
          await sim.close();
        }
      }),
      { numRuns: 6, seed: SEED },
    );
    expect({ seed: SEED, findings: findings.report() }).toEqual({ seed: SEED, findings: [] });
    // The sample reached a 200 of every operation (a seed whose worlds miss one would prove nothing about it).
    expect(CLIENT_OPERATIONS.filter((op) => !validated.get(op))).toEqual([]);
  });
});

async function askAndCheck(
  sim: RunningSimulator,
  operation: ClientOperation,
  path: string,
  findings: Findings,
  validated: Map<ClientOperation, number>,
): Promise<void> {
  const op = publishedOperation(published!, operation);
  if (!pathPattern(op).test(path.split('?')[0])) throw new Error(`${path} is not a path of ${op.operationId}`);
  const res = await fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  if (!op.statuses.includes(String(res.status)))
    findings.add(
      `${operation} status ${res.status}`,
      `${operation}: answered ${res.status}, which the description does not document (${op.statuses.join(', ')}): ${brief(text)}`,
    );
  if (res.status !== 200) return;
  validated.set(operation, (validated.get(operation) ?? 0) + 1);
  const contentType = res.headers.get('content-type') ?? '';
  if (!contentType.startsWith(op.ok.contentType))
    findings.add(`${operation} content-type`, `${operation}: content type ${contentType}, not ${op.ok.contentType}`);
  for (const [name, schema] of Object.entries(op.ok.headers)) {
    const value = res.headers.get(name);
    if (value !== null && (schema.type === 'integer' || schema.type === 'number') && !/^-?\d+(\.\d+)?$/.test(value))
      findings.add(`${operation} header ${name}`, `${operation}: header ${name} is ${brief(value)}, not a number`);
  }
  let body: unknown = text;
  if (op.ok.contentType === 'application/json') {
    try {
      body = JSON.parse(text);
    } catch {
      findings.add(`${operation} json`, `${operation}: the body is not JSON: ${brief(text)}`);
      return;
    }
  }
  for (const problem of conformanceProblems(published!, op.ok.schema, body)) {
    findings.add(`${operation} ${problem.split(':')[0].replace(/\[\d+\]/g, '[]')}`, `${operation}: ${problem}`, problem.split(': ').slice(1).join(': '));
  }
}
