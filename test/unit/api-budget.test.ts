import { apiActivitiesPerSecond } from '../../workers/api-budget';

describe('apiActivitiesPerSecond', () => {
  test('dispatches a little below the budget so a one-token burst cannot overrun a window', () => {
    expect(apiActivitiesPerSecond(10) * 60).toBeCloseTo(9);
    expect(apiActivitiesPerSecond(600) * 60).toBeCloseTo(585);
    expect(apiActivitiesPerSecond(300) * 60).toBeCloseTo(292.5);
    expect(apiActivitiesPerSecond(1) * 60).toBeCloseTo(0.5);
  });
  test('never exceeds the budget', () => {
    for (const perMinute of [1, 2, 5, 10, 30, 60, 120, 1000]) expect(apiActivitiesPerSecond(perMinute) * 60).toBeLessThan(perMinute);
  });
});
