import { expectedAssetStatuses, generateScenario, parseScenario, type SessionDetails, type TestSpec } from '../../simulator';
import { qxScores } from '../../simulator/qx-scores';
import { participantQxScore, sessionDetails } from '../../simulator/session-details';

/** The JSON paths whose values differ between a and b. */
function changedPaths(a: unknown, b: unknown, at = ''): string[] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`));
  }
  return Object.is(a, b) ? [] : [at];
}

const scenario = parseScenario(
  generateScenario({ seed: 5, tests: 6, sessions: 12, productMix: { NON_THINK_OUT_LOUD: 2, THINK_OUT_LOUD: 1, SURVEY: 1, LIVE_CONVERSATION: 1 } }),
);
const allDetails = (seed = scenario.seed): Array<{ test: TestSpec; details: SessionDetails }> =>
  scenario.tests.flatMap((test) => test.sessions.map((s) => ({ test, details: sessionDetails(seed, test, s, 0) })));

describe('simulator session details and QXscores (generation)', () => {
  test('deterministic: the same seed, session and version give the same details; another seed others', () => {
    expect(allDetails()).toEqual(allDetails());
    const other = allDetails(scenario.seed + 1);
    expect(other.map((d) => d.details.testPlanId)).not.toEqual(allDetails().map((d) => d.details.testPlanId));
  });

  test('varied content: distinct task types per plan, many types overall, both task group types, skipped tasks, declined answers', () => {
    const details = allDetails();
    const types = new Set<string>();
    for (const { details: d } of details) {
      const planTypes = d.tasks.map((t) => t.type);
      expect(new Set(planTypes).size).toBe(planTypes.length);
      expect(planTypes.length).toBeGreaterThanOrEqual(3);
      planTypes.forEach((t) => types.add(t));
    }
    expect(types.size).toBeGreaterThanOrEqual(7);
    const groupTypes = new Set(details.flatMap(({ details: d }) => d.taskGroups.map((g) => g.type)));
    expect([...groupTypes].sort()).toEqual(['BALANCED_COMPARISON', 'QX_SCORE']);
    const tasks = details.flatMap(({ details: d }) => d.tasks);
    expect(tasks.some((t) => t.response?.skipped && t.response.answer === null)).toBe(true);
    expect(details.some(({ details: d }) => d.sessionParticipant?.demographicsInfo.some((i) => i.value === null))).toBe(true);
    expect(details.some(({ details: d }) => d.sessionParticipant?.demographicsInfo.some((i) => i.value?.includes(',')))).toBe(true);
  });

  test('a QX_SCORE group exactly in interaction sessions, with an integer score in 0..100', () => {
    for (const test of scenario.tests) {
      for (const s of test.sessions) {
        const qx = sessionDetails(scenario.seed, test, s, 0).taskGroups.filter((g) => g.type === 'QX_SCORE');
        expect(qx.length).toBe(s.productType === 'NON_THINK_OUT_LOUD' ? 1 : 0);
        for (let version = 0; version < 120; version++) {
          const score = participantQxScore(scenario.seed, s, version);
          expect(Number.isInteger(score) && score >= 0 && score <= 100).toBe(true);
        }
      }
    }
  });

  test('each new version changes the first answer (and an interaction session’s score), and nothing else', () => {
    for (const test of scenario.tests) {
      for (const s of test.sessions) {
        for (let version = 0; version < 12; version++) {
          const changed = changedPaths(sessionDetails(scenario.seed, test, s, version), sessionDetails(scenario.seed, test, s, version + 1));
          expect(changed.some((p) => p.startsWith('.tasks.0.response.answer.'))).toBe(true);
          const others = changed.filter((p) => !p.startsWith('.tasks.0.response.answer.'));
          expect(others).toEqual(s.productType === 'NON_THINK_OUT_LOUD' ? ['.taskGroups.0.response.score'] : []);
        }
      }
    }
  });

  test('QXscores: the mean of the interaction sessions’ scores at their versions; undefined without interaction sessions', () => {
    const versions = new Map<string, number>();
    const versionOf = (id: string) => versions.get(id) ?? 0;
    const withInteraction = scenario.tests.filter((t) => t.sessions.some((s) => s.productType === 'NON_THINK_OUT_LOUD'));
    expect(withInteraction.length).toBeGreaterThan(0);
    for (const test of withInteraction) {
      const interaction = test.sessions.filter((s) => s.productType === 'NON_THINK_OUT_LOUD');
      versions.set(interaction[0].sessionId, 3);
      const scores = interaction.map((s) => participantQxScore(scenario.seed, s, versionOf(s.sessionId)));
      const result = qxScores(scenario.seed, test, versionOf)!;
      expect(result.meta).toEqual({ totalQxTasks: 1, completes: interaction.length });
      expect(result.qxScores[0].qxScore).toBe(Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10);
      expect(result.qxScores[0].taskGroupId).toBe(sessionDetails(scenario.seed, test, interaction[0], 0).taskGroups[0].uuid);
    }
    const noInteraction: TestSpec = {
      testId: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
      sessions: scenario.tests[0].sessions.filter((s) => s.productType !== 'NON_THINK_OUT_LOUD'),
      reels: [],
    };
    expect(qxScores(scenario.seed, noInteraction, versionOf)).toBeUndefined();
    expect(qxScores(scenario.seed, { ...noInteraction, sessions: [] }, versionOf)).toBeUndefined();
  });
});

describe('expectedAssetStatuses: session details and QXscores', () => {
  const tests = parseScenario({
    tests: [
      { sessions: [{ productType: 'NON_THINK_OUT_LOUD' }, { productType: 'SURVEY' }] },
      { sessions: [{ productType: 'THINK_OUT_LOUD' }] },
      { sessions: [] },
    ],
  }).tests;

  test('details stored for every session (surveys too); one qxscore per test, stored only with an interaction session', () => {
    const [interaction, thinkAloud, empty] = tests.map(expectedAssetStatuses);
    expect(interaction.filter((a) => a.kind === 'details')).toEqual(
      tests[0].sessions.map((s) => ({ kind: 'details', sessionId: s.sessionId, status: 'stored' })),
    );
    expect(interaction.filter((a) => a.kind === 'qxscore')).toEqual([{ kind: 'qxscore', status: 'stored' }]);
    expect(thinkAloud.filter((a) => a.kind === 'details')).toHaveLength(1);
    expect(thinkAloud.filter((a) => a.kind === 'qxscore')).toEqual([{ kind: 'qxscore', status: 'skipped' }]);
    expect(empty).toEqual([{ kind: 'qxscore', status: 'skipped' }]);
  });
});
