import { startSimulator, type RunningSimulator, type ScenarioInput } from '../../simulator';
import { jsonOf, tokenFor } from '../support/simulator-http';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const NO_INTERACTION_TEST = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const EMPTY_TEST = '1c6b3b0e-2f53-4a41-9d0e-5b8f0c1d2e3f';
const INTERACTION_A = '41f72104-5f84-44fa-a16a-03f5751596ec';
const INTERACTION_B = '5a1d8707-0cf1-47d4-86f3-7c7b8722921d';
const THINK_ALOUD = 'a0ff28a2-020b-4944-ab5a-ba035269641e';
const SURVEY = '12debc51-0948-4d2e-9abe-9844ddd5c5ff';
const LIVE = '8fdc898f-3b2b-4f45-91a2-2a6b618bc987';
const OTHER_SESSION = 'e320c95c-2741-49bc-9e04-37b77d6fece3';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SCENARIO: ScenarioInput = {
  seed: 23,
  rateLimit: { limit: 10_000 },
  tests: [
    {
      testId: TEST_ID,
      sessions: [
        { sessionId: INTERACTION_A, productType: 'NON_THINK_OUT_LOUD' },
        { sessionId: INTERACTION_B, productType: 'NON_THINK_OUT_LOUD', audienceId: null },
        { sessionId: THINK_ALOUD, productType: 'THINK_OUT_LOUD' },
        { sessionId: SURVEY, productType: 'SURVEY', finishTime: null },
        { sessionId: LIVE, productType: 'LIVE_CONVERSATION' },
      ],
    },
    { testId: NO_INTERACTION_TEST, sessions: [{ sessionId: OTHER_SESSION, productType: 'THINK_OUT_LOUD' }] },
    { testId: EMPTY_TEST, sessions: [] },
  ],
};
const ALL_SESSIONS = [INTERACTION_A, INTERACTION_B, THINK_ALOUD, SURVEY, LIVE];

async function withSimulator(scenario: ScenarioInput, body: (sim: RunningSimulator, get: (path: string) => Promise<Response>) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ scenario, port: 0 });
  try {
    const token = await tokenFor(sim);
    await body(sim, (path) => fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }));
  } finally {
    await sim.close();
  }
}

const detailsPath = (sessionId: string) => `/api/v3/sessionResults/${sessionId}`;
const qxPath = (testId: string) => `/api/v2/testResults/${testId}/qxScores`;

const nullOr = (value: unknown, check: (v: unknown) => boolean) => value === null || check(value);
const isString = (v: unknown) => typeof v === 'string';
const isUuid = (v: unknown) => typeof v === 'string' && UUID.test(v);
const isPercent = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 100;
const TASK_TYPES = ['BLANK', 'RATING_SCALE', 'MULTIPLE_CHOICE', 'IMAGE', 'NPS', 'URL', 'RANK_ORDER', 'WRITTEN', 'FIGMA', 'MATRIX', 'UNRECOGNIZED'];
const ANSWER_KEYS = ['blank', 'ratingScale', 'multipleChoice', 'image', 'nps', 'url', 'rankOrder', 'written', 'figma', 'matrix'];

/** Every required field of SessionResultsV3ResponseDto and the DTOs under it, with its documented type. */
function expectDetailsShape(d: Json): void {
  for (const key of ['sessionId', 'audienceId', 'testPlanId', 'sessionParticipant', 'taskGroups', 'tasks']) expect(d).toHaveProperty([key]);
  expect(nullOr(d.sessionId, isUuid) && nullOr(d.audienceId, isUuid) && nullOr(d.testPlanId, isUuid)).toBe(true);
  if (d.sessionParticipant !== null) {
    expect(nullOr(d.sessionParticipant.participantId, isUuid)).toBe(true);
    expect(Array.isArray(d.sessionParticipant.demographicsInfo)).toBe(true);
    for (const info of d.sessionParticipant.demographicsInfo) {
      for (const key of ['id', 'code', 'label', 'value', 'type']) expect(info).toHaveProperty([key]);
      expect([info.id, info.code, info.label, info.value].every((v) => nullOr(v, isString))).toBe(true);
      expect([null, 'DEMOGRAPHIC_QUESTION_TYPE_SINGLE', 'DEMOGRAPHIC_QUESTION_TYPE_MULTIPLE', 'UNRECOGNIZED']).toContain(info.type);
    }
  }
  expect(Array.isArray(d.taskGroups) && Array.isArray(d.tasks)).toBe(true);
  for (const group of d.taskGroups) {
    expect(isUuid(group.uuid)).toBe(true);
    expect(['QX_SCORE', 'BALANCED_COMPARISON', 'UNRECOGNIZED']).toContain(group.type);
    expect(group).toHaveProperty(['response']);
    if (group.response !== null && group.type === 'QX_SCORE') expect(isPercent(group.response.score)).toBe(true);
    if (group.response !== null && group.type === 'BALANCED_COMPARISON') expect(typeof group.response.sequence).toBe('string');
  }
  for (const task of d.tasks) {
    expect(isUuid(task.uuid) && isString(task.text)).toBe(true);
    expect(TASK_TYPES).toContain(task.type);
    expect(task).toHaveProperty(['response']);
    if (task.response === null) continue;
    const { startTimeMs, endTimeMs, skipped, answer } = task.response;
    expect([typeof startTimeMs, typeof endTimeMs, typeof skipped]).toEqual(['number', 'number', 'boolean']);
    expect(task.response).toHaveProperty(['answer']);
    if (answer !== null) {
      expect(Object.keys(answer)).toHaveLength(1);
      expect(ANSWER_KEYS).toContain(Object.keys(answer)[0]);
      expect(typeof Object.values(answer)[0]).toBe('object');
    }
  }
}

/** Every required field of QxScoreResponseApi and the DTOs under it, with its documented type. */
function expectQxShape(q: Json): void {
  for (const key of ['testId', 'qxScores', 'meta']) expect(q).toHaveProperty([key]);
  expect(isUuid(q.testId)).toBe(true);
  expect(typeof q.meta.totalQxTasks).toBe('number');
  expect(typeof q.meta.completes).toBe('number');
  for (const item of q.qxScores) {
    for (const key of ['taskGroupId', 'label', 'qxScore', 'components', 'values']) expect(item).toHaveProperty([key]);
    expect(isString(item.taskGroupId) && isString(item.label) && nullOr(item.qxScore, isPercent)).toBe(true);
    expect(item.components).toHaveProperty(['behavioral']);
    expect(nullOr(item.components.behavioral, isPercent) && isPercent(item.components.attitudinal)).toBe(true);
    expect(item.values).toHaveProperty(['behavioral']);
    expect(nullOr(item.values.behavioral, (v) => Array.isArray(v) && v.every((n) => typeof n === 'number'))).toBe(true);
    for (const key of ['usability', 'trust', 'appearance', 'loyalty']) expect(isPercent(item.values[key])).toBe(true);
  }
}

/** The JSON paths whose values differ between a and b. */
function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return Object.is(a, b) ? [] : [at];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const qxScoreOf = (details: Json): number => details.taskGroups.find((g: Json) => g.type === 'QX_SCORE').response.score;

describe('simulator session details (v3) and QXscores', () => {
  test('session details of every product type: the documented fields and types, consistent with the scenario, as expectedSessionDetails says', () =>
    withSimulator(SCENARIO, async (sim, get) => {
      const bodies: Json[] = [];
      for (const sessionId of ALL_SESSIONS) {
        const res = await get(detailsPath(sessionId));
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(res.headers.get('cache-control')).toBe('private, no-store');
        expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
        const body = await jsonOf(res);
        expectDetailsShape(body);
        expect(body).toEqual(sim.expectedSessionDetails(sessionId));
        bodies.push(body);
      }
      const spec = sim.scenario.tests[0].sessions;
      expect(bodies.map((b) => [b.sessionId, b.audienceId])).toEqual(spec.map((s) => [s.sessionId, s.audienceId]));
      expect(bodies[1].audienceId).toBeNull();
      // One test plan: the same plan id and tasks (ids, prompts, types) in every session of the test.
      expect(new Set(bodies.map((b) => b.testPlanId)).size).toBe(1);
      const plan = (b: Json) => b.tasks.map((t: Json) => [t.uuid, t.text, t.type]);
      for (const b of bodies) expect(plan(b)).toEqual(plan(bodies[0]));
      expect(bodies[0].tasks.length).toBeGreaterThanOrEqual(3);
      for (const b of bodies) {
        expect(b.sessionParticipant.demographicsInfo.map((d: Json) => d.code)).toEqual(expect.arrayContaining(['GENDER', 'AGE_GROUP', 'COUNTRY']));
        expect(b.tasks[0].response.skipped).toBe(false);
        expect(b.tasks[0].response.answer).not.toBeNull();
      }
      // Tasks fit in the session's length (the survey without finishTime included).
      for (const [i, s] of spec.entries()) {
        const length = s.finishTime ? Date.parse(s.finishTime) - Date.parse(s.startTime) : Infinity;
        for (const t of bodies[i].tasks)
          expect(0 <= t.response.startTimeMs && t.response.startTimeMs < t.response.endTimeMs && t.response.endTimeMs <= length).toBe(true);
      }
      // Interaction sessions, and only they, carry a QX_SCORE group: the test's one QX task group.
      const qx = bodies.map((b) => b.taskGroups.filter((g: Json) => g.type === 'QX_SCORE'));
      expect(qx.map((g) => g.length)).toEqual([1, 1, 0, 0, 0]);
      expect(qx[0][0].uuid).toBe(qx[1][0].uuid);
      expect(Number.isInteger(qx[0][0].response.score)).toBe(true);
    }));

  test('QXscores: the documented fields and types, computed from the interaction sessions’ details, as expectedQxScores says', () =>
    withSimulator(SCENARIO, async (sim, get) => {
      const res = await get(qxPath(TEST_ID));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = await jsonOf(res);
      expectQxShape(body);
      expect(body).toEqual(sim.expectedQxScores(TEST_ID));
      const a = await jsonOf(await get(detailsPath(INTERACTION_A)));
      const b = await jsonOf(await get(detailsPath(INTERACTION_B)));
      expect(body.testId).toBe(TEST_ID);
      expect(body.meta).toEqual({ totalQxTasks: 1, completes: 2 });
      expect(body.qxScores).toHaveLength(1);
      expect(body.qxScores[0].taskGroupId).toBe(a.taskGroups.find((g: Json) => g.type === 'QX_SCORE').uuid);
      expect(body.qxScores[0].qxScore).toBe(round1((qxScoreOf(a) + qxScoreOf(b)) / 2));
      const { values, components } = body.qxScores[0];
      expect(components.attitudinal).toBe(round1((values.usability + values.trust + values.appearance + values.loyalty) / 4));
      if (values.behavioral === null) expect(components.behavioral).toBeNull();
      else expect(components.behavioral).toBe(round1(values.behavioral.reduce((x: number, y: number) => x + y, 0) / values.behavioral.length));
    }));

  test('the same seed gives the same answers in two simulators; another seed gives others', async () => {
    const answers = async (scenario: ScenarioInput) => {
      const out: Json[] = [];
      await withSimulator(scenario, async (_sim, get) => {
        for (const sessionId of ALL_SESSIONS) out.push(await jsonOf(await get(detailsPath(sessionId))));
        out.push(await jsonOf(await get(qxPath(TEST_ID))));
      });
      return out;
    };
    const first = await answers(SCENARIO);
    expect(await answers(SCENARIO)).toEqual(first);
    const other = await answers({ ...SCENARIO, seed: 24 });
    expect(other.map((o) => o.testPlanId)).not.toEqual(first.map((o) => o.testPlanId));
    expect(other.map((o) => o.sessionParticipant?.participantId)).not.toEqual(first.map((o) => o.sessionParticipant?.participantId));
  });

  test('400 naming the parameter for a non-UUID id; 404 for an unknown session or test, and for a test without interaction sessions', () =>
    withSimulator(SCENARIO, async (sim, get) => {
      const expectError = async (path: string, status: number, message: string | RegExp) => {
        const res = await get(path);
        expect(res.status).toBe(status);
        const body = await jsonOf(res);
        expect(body.statusCode).toBe(status);
        expect(body.message).toMatch(message);
      };
      await expectError(detailsPath('not-a-uuid'), 400, 'Validation failed: sessionId must be a UUID');
      await expectError(qxPath('not-a-uuid'), 400, 'Validation failed: testId must be a UUID');
      await expectError(detailsPath(UNKNOWN), 404, /^Session not found$/);
      await expectError(qxPath(UNKNOWN), 404, /^Test not found$/);
      await expectError(qxPath(NO_INTERACTION_TEST), 404, /only .*interaction/);
      await expectError(qxPath(EMPTY_TEST), 404, /only .*interaction/);
      // The v3 path exists for the session details only.
      await expectError(`/api/v3/sessionResults/${INTERACTION_A}/transcript`, 404, /^Cannot GET/);
      expect(sim.expectedSessionDetails(UNKNOWN)).toBeUndefined();
      expect(sim.expectedQxScores(UNKNOWN)).toBeUndefined();
      expect(sim.expectedQxScores(NO_INTERACTION_TEST)).toBeUndefined();
      expect(sim.expectedQxScores(EMPTY_TEST)).toBeUndefined();
      // Upper-case ids are the same ids.
      expect((await get(detailsPath(INTERACTION_A.toUpperCase()))).status).toBe(200);
    }));

  test('through the gateway like every call: 401 without a token, one request of the budget each (errors too), per-operation stats, 429 past the budget', () =>
    withSimulator({ ...SCENARIO, rateLimit: { limit: 5 } }, async (sim, get) => {
      expect((await fetch(`${sim.baseUrl}${detailsPath(INTERACTION_A)}`)).status).toBe(401);
      const remaining: Array<[number, string | null]> = [];
      for (const path of [
        detailsPath(INTERACTION_A),
        qxPath(TEST_ID),
        detailsPath(UNKNOWN),
        qxPath(NO_INTERACTION_TEST),
        detailsPath(SURVEY),
        qxPath(TEST_ID),
      ]) {
        const res = await get(path);
        remaining.push([res.status, res.headers.get('x-ratelimit-remaining')]);
      }
      expect(remaining).toEqual([
        [200, '4'],
        [200, '3'],
        [404, '2'],
        [404, '1'],
        [200, '0'],
        [429, '0'],
      ]);
      expect(sim.stats().calls.map((c) => [c.operation, c.status, c.testId])).toEqual([
        ['sessionDetails', 401, TEST_ID],
        ['sessionDetails', 200, TEST_ID],
        ['qxScores', 200, TEST_ID],
        ['sessionDetails', 404, undefined],
        ['qxScores', 404, NO_INTERACTION_TEST],
        ['sessionDetails', 200, TEST_ID],
        ['qxScores', 429, TEST_ID],
      ]);
    }));

  test('v3 and v2 calls share one call numbering for the fault schedule (serverErrorEveryNth)', () =>
    withSimulator({ ...SCENARIO, faults: { serverErrorEveryNth: 2 } }, async (sim, get) => {
      const statuses: number[] = [];
      for (const path of [detailsPath(INTERACTION_A), qxPath(TEST_ID), `/api/v2/sessionResults?testId=${TEST_ID}`, detailsPath(THINK_ALOUD)])
        statuses.push((await get(path)).status);
      expect(statuses).toEqual([200, 500, 200, 503]);
      expect(sim.stats().calls.map((c) => `${c.operation} ${c.faultInjected ?? '-'}`)).toEqual([
        'sessionDetails -',
        'qxScores serverError',
        'listSessions -',
        'sessionDetails serverError',
      ]);
    }));

  test('updateSessionDetails: an interaction session changes its first answer and QXscore, hence the test’s qxScore; nothing else changes', () =>
    withSimulator(SCENARIO, async (sim, get) => {
      const everything = async () => ({
        details: await Promise.all(ALL_SESSIONS.map(async (id) => jsonOf(await get(detailsPath(id))))),
        qx: await jsonOf(await get(qxPath(TEST_ID))),
        other: await jsonOf(await get(detailsPath(OTHER_SESSION))),
      });
      const video = sim.expectedDigest({ kind: 'video', sessionId: INTERACTION_A });
      const before = await everything();
      sim.updateSessionDetails(INTERACTION_A);
      const after = await everything();
      expect(changedPaths(before, after).filter((p) => !p.startsWith('.details.0.tasks.0.response.answer.'))).toEqual([
        '.details.0.taskGroups.0.response.score',
        '.qx.qxScores.0.qxScore',
      ]);
      expect(changedPaths(before.details[0].tasks[0].response.answer, after.details[0].tasks[0].response.answer).length).toBeGreaterThan(0);
      expect(after.details[0]).toEqual(sim.expectedSessionDetails(INTERACTION_A));
      expect(after.qx).toEqual(sim.expectedQxScores(TEST_ID));
      expect(after.qx.qxScores[0].qxScore).toBe(round1((qxScoreOf(after.details[0]) + qxScoreOf(after.details[1])) / 2));
      expect(sim.expectedDigest({ kind: 'video', sessionId: INTERACTION_A })).toEqual(video);

      // A think-out-loud session: only its first answer; the QXscores stay.
      sim.updateSessionDetails(THINK_ALOUD);
      const later = await everything();
      const changed = changedPaths(after, later);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.every((p) => p.startsWith('.details.2.tasks.0.response.answer.'))).toBe(true);
      expect(() => sim.updateSessionDetails(UNKNOWN)).toThrow(/no session/);
    }));

  test('malformedAnswers applies to sessionDetails and qxScores: the first successful answers are broken, the next ones are not', () =>
    withSimulator(
      {
        ...SCENARIO,
        faults: {
          malformedAnswers: [
            { operation: 'sessionDetails', kind: 'missingField' },
            { operation: 'sessionDetails', kind: 'html' },
            { operation: 'qxScores', kind: 'wrongType' },
          ],
        },
      },
      async (sim, get) => {
        expect((await get(detailsPath(UNKNOWN))).status).toBe(404); // errors are never malformed, nor use one up
        const missing = await jsonOf(await get(detailsPath(INTERACTION_A)));
        const expected = sim.expectedSessionDetails(INTERACTION_A)!;
        expect(missing).not.toHaveProperty('sessionId');
        expect(missing).toEqual((({ sessionId: _dropped, ...rest }) => rest)(expected));
        const html = await get(detailsPath(INTERACTION_A));
        expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
        expect(await jsonOf(await get(detailsPath(INTERACTION_A)))).toEqual(expected);
        const wrong = await jsonOf(await get(qxPath(TEST_ID)));
        expect(wrong.testId).toBe(42);
        expect(await jsonOf(await get(qxPath(TEST_ID)))).toEqual(sim.expectedQxScores(TEST_ID));
        expect(sim.stats().calls.map((c) => c.faultInjected ?? '-')).toEqual([
          '-',
          'malformed:missingField',
          'malformed:html',
          '-',
          'malformed:wrongType',
          '-',
        ]);
      },
    ));
});
