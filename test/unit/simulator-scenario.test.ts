import { generateScenario, parseScenario, scenarioSchema } from '../../simulator';
import { demoScenario } from '../../simulator/demo-scenario';
import { SAMPLE_VIDEO_MS } from '../../simulator/media-bytes';

describe('simulator scenario schema', () => {
  test('an empty scenario is fully defaulted, with one demo test from seed 1', () => {
    const s = parseScenario({});
    expect(s.seed).toBe(1);
    expect(s.clients).toEqual([{ clientId: 'demo-client', clientSecret: 'demo-secret' }]);
    expect(s.staticTokens).toEqual([]);
    expect(s.tokenTtlSeconds).toBe(3600);
    expect(s.rateLimit).toEqual({ limit: 10, windowMs: 60_000 });
    expect(s.pageCap).toBe(500);
    expect(s.generation).toEqual({ generatingMs: 2000 });
    expect(s.linkTtlMs).toEqual({ reelAndClip: 900_000, video: 3_600_000 });
    expect(s.faults).toEqual({
      tokenEndpointFailures: 0,
      generationErrorOnce: [],
      alwaysError: [],
      neverGenerated: [],
      linkExpiredOnFirstUse: [],
      redirectMedia: [],
      htmlInsteadOfMedia: [],
      cutBodyOnce: [],
      malformedAnswers: [],
    });
    expect(s.tests).toHaveLength(1);
    expect(s.tests[0].sessions).toHaveLength(8);
    expect(s.tests[0].reels).toHaveLength(2);
    expect(parseScenario({})).toEqual(s);
  });

  test('left-out ids, names, times and sizes are filled in deterministically from the seed', () => {
    const input = { seed: 7, tests: [{ sessions: [{}, { productType: 'SURVEY' as const }, { clips: [{}] }], reels: [{}] }] };
    const a = scenarioSchema.parse(input);
    const b = scenarioSchema.parse(input);
    expect(a).toEqual(b);
    const [test] = a.tests;
    expect(test.testId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(test.sessions.map((s) => s.productType)).toEqual(['THINK_OUT_LOUD', 'SURVEY', 'THINK_OUT_LOUD']);
    const starts = test.sessions.map((s) => Date.parse(s.startTime));
    expect([...starts].sort((x, y) => y - x)).toEqual(starts);
    const clip = test.sessions[2].clips[0];
    expect(clip).toMatchObject({ name: 'Clip #1', hasAudio: true, hasCamera: false, bytes: 256 * 1024 });
    expect(clip.timeEndMs).toBeGreaterThan(clip.timeStartMs);
    expect(test.reels[0]).toMatchObject({ name: 'Highlight reel #1', areAllClipsInReel: false, bytes: 512 * 1024 });
    expect(scenarioSchema.parse({ ...input, seed: 8 }).tests[0].testId).not.toBe(test.testId);
  });

  test('rejects bad input with a message naming the field', () => {
    expect(() => parseScenario({ tests: [{ testId: 'nope' }] })).toThrow(/testId.*UUID|UUID.*testId/s);
    expect(() => parseScenario({ rateLimit: { limit: 0 } })).toThrow(/rateLimit/);
    expect(() => parseScenario({ faults: { cutBodyOnce: ['movie:1'] } })).toThrow(/cutBodyOnce/);
    expect(() => parseScenario({ tests: [{ sessions: [{ productType: 'SURVEY', clips: [{}] }] }] })).toThrow(/SURVEY/);
    const id = '0b5e3f1c-9a8d-4c1e-8f7a-2d3b4c5d6e7f';
    expect(() => parseScenario({ tests: [{ sessions: [{ sessionId: id }, { sessionId: id }] }] })).toThrow(/duplicate id/);
  });
});

describe('generateScenario', () => {
  test('is deterministic and realistic', () => {
    const options = {
      seed: 42,
      sessions: 30,
      reels: 3,
      clipsPerSession: [1, 2] as [number, number],
      videoBytes: 1000,
      clipBytes: [10, 20] as [number, number],
    };
    const a = generateScenario(options);
    expect(generateScenario(options)).toEqual(a);
    const s = parseScenario(a);
    const [test] = s.tests;
    expect(test.sessions).toHaveLength(30);
    expect(test.reels).toHaveLength(3);
    const starts = test.sessions.map((x) => Date.parse(x.startTime));
    expect([...starts].sort((x, y) => y - x)).toEqual(starts);
    for (const session of test.sessions) {
      expect(session.videoBytes).toBe(1000);
      expect(Date.parse(session.finishTime!)).toBeGreaterThan(Date.parse(session.startTime));
      if (session.productType === 'SURVEY') expect(session.clips).toEqual([]);
      else expect(session.clips.length).toBeGreaterThanOrEqual(1);
      for (const clip of session.clips) {
        expect(clip.bytes).toBeGreaterThanOrEqual(10);
        expect(clip.bytes).toBeLessThanOrEqual(20);
        expect(clip.name.length).toBeGreaterThan(0);
      }
    }
    expect(new Set(test.sessions.map((x) => x.productType)).size).toBeGreaterThan(1);
  });

  test('productMix weights choose the product types', () => {
    const s = parseScenario(
      generateScenario({ seed: 3, sessions: 12, productMix: { SURVEY: 1, THINK_OUT_LOUD: 0, NON_THINK_OUT_LOUD: 0, LIVE_CONVERSATION: 0 } }),
    );
    expect(s.tests[0].sessions.every((x) => x.productType === 'SURVEY' && x.clips.length === 0)).toBe(true);
  });

  test('several tests and a fixed test id', () => {
    const testId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const s = generateScenario({ seed: 5, tests: 2, testId, sessions: 2 });
    expect(s.tests.map((t) => t.testId)[0]).toBe(testId);
    expect(s.tests[1].testId).not.toBe(testId);
  });

  test("the demo's clips lie within the sample video, so 'Show in session' lands on a picture", () => {
    const clips = demoScenario().tests!.flatMap((t) => ('sessions' in t ? (t.sessions ?? []) : []).flatMap((s) => s.clips ?? []));
    expect(clips.length).toBeGreaterThan(5);
    for (const clip of clips) {
      expect(clip.timeStartMs).toBeGreaterThanOrEqual(2_000);
      expect(clip.timeEndMs).toBeGreaterThan(clip.timeStartMs!);
      expect(clip.timeEndMs).toBeLessThanOrEqual(SAMPLE_VIDEO_MS);
    }
  });
});
