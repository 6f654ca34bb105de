import { Rng } from './random';
import type { TestSpec } from './scenario';
import { isInteraction, participantQxScore, qxTaskGroupId } from './session-details';

/**
 * A test's QXscores (`GET /api/v2/testResults/{testId}/qxScores`), computed from its interaction
 * sessions so that they agree with the session details: one QX task group (the one every
 * interaction session's details name), qxScore = the mean of the participants' scores,
 * completes = the number of interaction sessions.
 *
 * How the real API weighs the components into the score is not documented, so the simulator only
 * keeps each component the mean of its values; the values themselves come from the seed and the test.
 */

export interface QxScoreItem {
  taskGroupId: string;
  label: string;
  qxScore: number | null;
  components: { behavioral: number | null; attitudinal: number };
  values: { behavioral: number[] | null; usability: number; trust: number; appearance: number; loyalty: number };
}
export interface QxScores {
  testId: string;
  qxScores: QxScoreItem[];
  meta: { totalQxTasks: number; completes: number };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const mean = (ns: number[]) => ns.reduce((a, b) => a + b, 0) / ns.length;

/** undefined when the test has no interaction session (the endpoint then answers 404). */
export function qxScores(seed: number, test: TestSpec, versionOf: (sessionId: string) => number): QxScores | undefined {
  const sessions = test.sessions.filter(isInteraction);
  if (sessions.length === 0) return undefined;
  const rng = new Rng(seed, 'qx-values', test.testId.toLowerCase());
  const usability = rng.int(40, 95);
  const trust = rng.int(40, 95);
  const appearance = rng.int(40, 95);
  const loyalty = rng.int(40, 95);
  // Some interaction tests have no navigational task: the behavioral part is then null.
  const behavioral = rng.chance(0.25) ? null : Array.from({ length: rng.int(2, 4) }, () => rng.int(30, 100));
  const scores = sessions.map((s) => participantQxScore(seed, s, versionOf(s.sessionId)));
  return {
    testId: test.testId,
    qxScores: [
      {
        taskGroupId: qxTaskGroupId(seed, test.testId),
        label: 'QXscore task group 1',
        qxScore: round1(mean(scores)),
        components: { behavioral: behavioral ? round1(mean(behavioral)) : null, attitudinal: round1(mean([usability, trust, appearance, loyalty])) },
        values: { behavioral, usability, trust, appearance, loyalty },
      },
    ],
    meta: { totalQxTasks: 1, completes: sessions.length },
  };
}
