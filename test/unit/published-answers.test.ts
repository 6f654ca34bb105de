/**
 * The Results API client over answers generated from the published description itself: for every
 * operation, any answer the description allows is returned faithfully, or refused with a typed
 * error naming the operation and the field, for a reason listed in deliberate-refusals.ts. Never
 * an untyped crash, a hang, or a message carrying the token or a signed link.
 *
 * Expected to fail until usertesting/schemas.ts follows the description (a fix under way):
 * pagination numbers beyond 2^53 are refused as "not an integer" although the description gives
 * `type: number` (whole and meaningful), and a qxScores.testId that is not a UUID is refused as
 * "expected a UUID" (the description gives no format) rather than as an answer about another test.
 */
import type { Readable } from 'node:stream';
import fc from 'fast-check';
import { UserTestingError } from '../../usertesting/errors';
import { createResultsApiClient, type ResultsApiClient } from '../../usertesting/results-api-client';
import type { TokenProvider } from '../../usertesting/token-provider';
import { answersSeed, Findings, settle, valueAt } from '../support/answer-findings';
import { deliberateRefusalOf } from '../support/deliberate-refusals';
import { generatedExchangeArbitrary, type GeneratedExchange } from '../support/generated-answers';
import { LINK_SIGNATURE } from '../support/media-links';
import { answerArbitrary } from '../support/openapi-arbitraries';
import { brief, conformanceProblems } from '../support/openapi-validator';
import { loadPublishedDescription, type OpenApiSchema, type PublishedOperation } from '../support/published-description';
import { CLIENT_OPERATIONS, PUBLISHED_OPERATION_IDS, publishedOperation, requestPath, type ClientOperation } from '../support/published-operations';
import { jsonText, startScriptedApiServer, type ScriptedApiServer } from '../support/scripted-api-server';

const loaded = loadPublishedDescription();
const published = 'description' in loaded ? loaded.description : undefined;
if ('missing' in loaded) process.stdout.write(`published-answers.test.ts skipped: ${loaded.missing}\n`);
const suite = published ? describe : describe.skip;

const RUNS = 30;
const SEED = answersSeed();
/** Well above the client's own timeout: reaching it means the client hangs. */
const DEADLINE_MS = 10_000;
const TOKEN = 'tok-3b9d6f0e2a7c4815b6e1d0c9f8a7b6c5';
const staticToken: TokenProvider = { getToken: async () => TOKEN, invalidate: () => undefined, canRefresh: false };

suite('generated answers: the generator', () => {
  test.each(CLIENT_OPERATIONS)('%s: every generated answer conforms to the description (the generator and the validator agree)', (operation) => {
    const op = publishedOperation(published!, operation);
    const answers = answerArbitrary(published!, op.ok.schema, { url: fc.constant('https://media.invalid/v.mp4?X-Amz-Signature=x') });
    fc.assert(
      fc.property(answers, (answer) => expect(conformanceProblems(published!, op.ok.schema, answer)).toEqual([])),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test.each(CLIENT_OPERATIONS.filter((op) => op !== 'transcript'))(
    '%s: the validator refuses an answer missing a required field or with one of the wrong type',
    (operation) => {
      const op = publishedOperation(published!, operation);
      const schema = published!.resolve(op.ok.schema);
      const answers = answerArbitrary(published!, schema, { url: fc.constant('https://media.invalid/v.mp4') });
      const required = fc.constantFrom(...(schema.required ?? []));
      fc.assert(
        fc.property(answers, required, (answer, field) => {
          const { [field]: _dropped, ...without } = answer as Record<string, unknown>;
          expect(conformanceProblems(published!, schema, without)).toContain(`$.${field}: required but absent`);
          // And a value of a JSON type the field cannot have.
          expect(
            conformanceProblems(published!, schema, { ...without, [field]: wrongTypeFor(published!.resolve(schema.properties![field]!)) }).length,
          ).toBeGreaterThan(0);
        }),
        { numRuns: RUNS, seed: SEED },
      );
    },
  );

  test('the client has a call for every published operation, and none the description lacks', () => {
    expect(published!.operations.map((op) => op.operationId).sort()).toEqual(Object.values(PUBLISHED_OPERATION_IDS).sort());
  });
});

suite('generated answers: the Results API client', () => {
  let server: ScriptedApiServer;
  beforeAll(async () => {
    server = await startScriptedApiServer();
  });
  afterAll(() => server?.close());

  test.each(CLIENT_OPERATIONS)('%s: a valid answer is returned as answered, or refused for a listed reason with a typed error', async (operation) => {
    const op = publishedOperation(published!, operation);
    const findings = new Findings();
    await fc.assert(
      fc.asyncProperty(generatedExchangeArbitrary(published!, operation, server.baseUrl), async (exchange) => {
        server.answerWith(exchange.scripted);
        const api = createResultsApiClient({ baseUrl: server.baseUrl, tokens: staticToken, timeoutMs: 3_000 });
        const outcome = await settle(call(api, exchange), DEADLINE_MS);
        const problem = requestProblem(op, exchange, server.requests());
        if (problem) findings.add('request', `${operation}: ${problem}`);
        if ('timedOut' in outcome) findings.add('hang', `${operation}: no outcome within ${DEADLINE_MS} ms`);
        else if ('error' in outcome) checkRefusal(findings, exchange, outcome.error);
        else {
          const problem = unfaithful(exchange, outcome.value);
          if (problem) findings.add(`unfaithful`, `${operation}: returned ${problem}`);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect({ operation, seed: SEED, findings: findings.report() }).toEqual({ operation, seed: SEED, findings: [] });
  });
});

/** A value of another JSON type than the field's (its allOf member's type, for a `$ref` wrapped in allOf). */
function wrongTypeFor(field: OpenApiSchema): unknown {
  const type = field.type ?? (field.allOf ? published!.resolve(field.allOf[0]!).type : undefined);
  return type === 'string' ? 42 : type === 'array' ? { not: 'a list' } : ['not', 'a', type ?? 'value'];
}

/** What is wrong with the requests the call made: one, to the operation's path with the asked ids and query. */
function requestProblem(op: PublishedOperation, { asked }: GeneratedExchange, requests: URL[]): string | undefined {
  if (requests.length !== 1) return `made ${requests.length} requests, not one`;
  const [url] = requests;
  if (url.pathname !== requestPath(op, asked)) return `asked ${url.pathname}, not ${requestPath(op, asked)}`;
  for (const parameter of op.parameters.filter((p) => p.in === 'query')) {
    const sent = url.searchParams.get(parameter.name);
    if (sent === null ? parameter.required : sent !== String(asked[parameter.name as keyof typeof asked]))
      return `sent ${parameter.name}=${sent} for ${String(asked[parameter.name as keyof typeof asked])}`;
  }
  return undefined;
}

/** The client call of `exchange.operation`; a transcript is read to its end. */
async function call(api: ResultsApiClient, { operation, asked }: GeneratedExchange): Promise<unknown> {
  switch (operation) {
    case 'listSessions':
      return api.listSessions(asked.testId, asked.offset, asked.limit);
    case 'listReels':
      return api.listReels(asked.testId);
    case 'reelDetail':
      return api.getReelDetail(asked.testId, asked.reelId);
    case 'listClips':
      return api.listClips(asked.sessionId);
    case 'clipDetail':
      return api.getClipDetail(asked.sessionId, asked.clipId);
    case 'videoDownloadUrl':
      return api.getVideoDownloadUrl(asked.sessionId);
    case 'transcript':
      return readText((await api.openTranscript(asked.sessionId)).body);
    case 'sessionDetails':
      return api.getSessionDetails(asked.sessionId);
    case 'qxScores':
      return api.getQxScores(asked.testId);
  }
}

async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A refusal must be typed, name the operation, leak nothing, and be one of the deliberate ones. */
function checkRefusal(findings: Findings, { operation, answer, asked }: GeneratedExchange, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : typeof error;
  if (!(error instanceof UserTestingError)) findings.add(`untyped ${name}`, `${operation}: crashed with an untyped ${name}: ${message}`);
  if (message.includes(TOKEN) || message.includes(LINK_SIGNATURE)) findings.add('leak', `${operation}: the message carries a secret: ${message}`);
  if (!message.startsWith(`${operation}:`)) findings.add('unnamed', `${operation}: the message does not name the operation: ${message}`);
  if (deliberateRefusalOf(operation, answer, asked, message)) return;
  const field = /\(([^\s():]+): /.exec(message)?.[1] ?? '?';
  const value = brief(valueAt(answer, field));
  findings.add(`refused ${field.replace(/\.\d+\./g, '[].')}`, `${operation}: refused a valid answer, ${field} = ${value}: ${name} "${message}"`, value);
}

/** What the client returned differs from what was answered: a description of how, else undefined. */
const paging = (p: { limit: unknown; offset: unknown; totalCount: unknown }) => ({ limit: p.limit, offset: p.offset, totalCount: p.totalCount });

function unfaithful({ operation, answer }: GeneratedExchange, returned: unknown): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const a = answer as any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const r = returned as any;
  const same = (what: string, got: unknown, want: unknown) =>
    jsonText(got) === jsonText(want) ? undefined : `${what} ${brief(got)} where ${brief(want)} was answered`;
  const ids = (list: Array<{ uuid?: string; sessionId?: string }>) => list.map((x) => x.uuid ?? x.sessionId);
  switch (operation as ClientOperation) {
    case 'listSessions':
      // Paging is read for its three numbers; fields the description adds beside them are not kept.
      return same('session ids', ids(r.sessions), ids(a.sessions)) ?? same('pagination', paging(r.meta.pagination), paging(a.meta.pagination));
    case 'listReels':
      return same('reel ids', ids(r.reels), ids(a.reels)) ?? same('studyWithClips', r.studyWithClips, a.studyWithClips);
    case 'listClips':
      return same('clip ids', ids(r.clips), ids(a.clips));
    case 'reelDetail':
      return same('status', r.status, a.status) ?? same('link', r.link ?? null, a.reelUrl ?? null);
    case 'clipDetail':
      return same('status', r.status, a.status) ?? same('link', r.link ?? null, a.clipUrl ?? null);
    case 'videoDownloadUrl':
      return same('link', r.link, a.videoUrl) ?? same('expiresAt', r.expiresAt, a.expiresAt);
    case 'transcript':
      return returned === answer ? undefined : `a transcript of ${String(returned).length} characters where ${String(answer).length} were answered`;
    case 'sessionDetails':
    case 'qxScores':
      // Archived as answered: every field, unknown ones included.
      return same('the answer', r, a);
  }
}
