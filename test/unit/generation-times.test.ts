import { GenerationTimes } from '../../activities/generation-times';

describe('GenerationTimes', () => {
  test('no advice before the first generation of a kind is seen done', () => {
    const times = new GenerationTimes();
    expect(times.checkAgainInMs('clip', 0)).toBeUndefined();
    times.generated('reel', 30_000);
    expect(times.checkAgainInMs('clip', 0)).toBeUndefined();
  });

  test('samples the middle between the last GENERATING check and the GENERATED one; advises the rest of the 75th percentile, a little late', () => {
    const times = new GenerationTimes();
    for (const [done, lastGenerating] of [
      [22_000, 18_000],
      [21_000, 19_000],
      [23_000, 19_000],
      [20_500, 19_500],
    ] as const)
      times.generated('clip', done, lastGenerating);
    expect(times.estimateMs('clip')).toBe(21_000);
    const wait = times.checkAgainInMs('clip', 5_000)!;
    expect(wait).toBeGreaterThanOrEqual(16_000);
    expect(wait).toBeLessThanOrEqual(17_100);
    // Slower than every sample: no advice, the workflow's backoff applies.
    expect(times.checkAgainInMs('clip', 22_000)).toBeUndefined();
  });

  test('checks that find the asset done on time do not push the estimate up', () => {
    const times = new GenerationTimes();
    times.generated('clip', 20_000, 15_000);
    for (let i = 0; i < 20; i++) times.generated('clip', times.estimateMs('clip')! * 1.05 + 2_000);
    expect(times.estimateMs('clip')).toBeLessThanOrEqual(17_500);
  });

  test('keeps only recent samples, so it follows a change in the API', () => {
    const times = new GenerationTimes();
    for (let i = 0; i < 30; i++) times.generated('reel', 60_000, 55_000);
    for (let i = 0; i < 25; i++) times.generated('reel', 10_000, 9_000);
    expect(times.estimateMs('reel')).toBe(9_500);
  });

  test('a check that waited long for the budget never pushes the estimate up; before any sample it teaches nothing', () => {
    const times = new GenerationTimes();
    // Behind videos for 5 minutes: found done 5 minutes after the start, last seen GENERATING at 3 s.
    times.generated('clip', 303_000, 3_000, 300_000);
    expect(times.estimateMs('clip')).toBeUndefined();
    times.generated('clip', 21_000, 19_000);
    for (let i = 0; i < 10; i++) times.generated('clip', 303_000, 3_000, 300_000);
    expect(times.estimateMs('clip')).toBeLessThanOrEqual(20_000);
    // A short wait (under a second, or a tenth of the time elapsed) is an on-time check.
    const onTime = new GenerationTimes();
    onTime.generated('reel', 30_000, 20_000, 900);
    expect(onTime.estimateMs('reel')).toBe(25_000);
  });
});
