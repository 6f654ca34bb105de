import { GenerationTimes } from '../../activities/generation-times';

describe('GenerationTimes', () => {
  test('no advice before the first generation of a kind is seen done', () => {
    const times = new GenerationTimes();
    expect(times.checkAgainInMs('clip', 0)).toBeUndefined();
    times.generated('reel', 30_000);
    expect(times.checkAgainInMs('clip', 0)).toBeUndefined();
  });

  test('advises the rest of the 75th percentile of recent generations, a little late rather than early', () => {
    const times = new GenerationTimes();
    for (const ms of [18_000, 20_000, 20_000, 21_000]) times.generated('clip', ms);
    expect(times.estimateMs('clip')).toBe(21_000);
    const wait = times.checkAgainInMs('clip', 5_000)!;
    expect(wait).toBeGreaterThanOrEqual(16_000);
    expect(wait).toBeLessThanOrEqual(17_100);
    // Slower than every sample: no advice, the workflow's backoff applies.
    expect(times.checkAgainInMs('clip', 22_000)).toBeUndefined();
  });

  test('keeps only recent samples, so it follows a change in the API', () => {
    const times = new GenerationTimes();
    for (let i = 0; i < 30; i++) times.generated('reel', 60_000);
    for (let i = 0; i < 25; i++) times.generated('reel', 10_000);
    expect(times.estimateMs('reel')).toBe(10_000);
  });
});
