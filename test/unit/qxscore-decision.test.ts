import { decideQxScore } from '../../workflows/qxscore-decision';
import type { StoredQxScore } from '../../contract/asset-types';

const none: StoredQxScore = { stored: false, knownAbsent: false, recorded: false };
const stored = (sessionsListed?: number): StoredQxScore => ({ stored: true, sessionsListed, knownAbsent: false, recorded: false });

describe('whether a run asks for the QXscores', () => {
  test('not stored: asked for', () => {
    expect(decideQxScore(none, 6, false)).toBe('fetch');
    expect(decideQxScore(none, undefined, false)).toBe('fetch');
  });

  test('stored from the same session count: not asked again unless refreshing', () => {
    expect(decideQxScore(stored(6), 6, false)).toBe('stored');
    expect(decideQxScore(stored(6), 6, true)).toBe('fetch');
  });

  test('the session list grew (or shrank) since: asked again, as the scores are computed from the sessions', () => {
    expect(decideQxScore(stored(6), 7, false)).toBe('fetch');
    expect(decideQxScore(stored(undefined), 7, false)).toBe('fetch');
  });

  test('a run that did not list the sessions (--only qxscore) keeps what is stored', () => {
    expect(decideQxScore(stored(6), undefined, false)).toBe('stored');
  });

  test('a 404 within the re-check age is not asked again, refreshing or not', () => {
    const absent = { ...none, knownAbsent: true, recorded: true };
    expect(decideQxScore(absent, 6, false)).toBe('knownAbsent');
    expect(decideQxScore(absent, 6, true)).toBe('knownAbsent');
  });
});
