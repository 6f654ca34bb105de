import { checkResponse, describeValue } from '../../usertesting/response-check';
import { qxScoresSchema, sessionListSchema } from '../../usertesting/schemas';

const testId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const page = (pagination: Record<string, unknown>) => ({
  testId,
  sessions: [{ sessionId: '41f72104-5f84-44fa-a16a-03f5751596ec', status: 'COMPLETE', startTime: '2024-11-21T12:23:52.614Z' }],
  meta: { pagination: { limit: 25, offset: 0, totalCount: 1, ...pagination } },
});
const messageOf = (result: ReturnType<typeof checkResponse>) => (result.ok ? 'ok' : `${result.problem.kind}: ${result.problem.message}`);

describe('answers the published description allows', () => {
  test('a whole number written 25.0 is 25 (the description types paging fields as number)', () => {
    const result = checkResponse(
      sessionListSchema,
      JSON.parse('{"testId":"3fa85f64-5717-4562-b3fc-2c963f66afa6","sessions":[],"meta":{"pagination":{"limit":25.0,"offset":0.0,"totalCount":0.0}}}'),
    );
    expect(result.ok && result.data.meta.pagination.limit).toBe(25);
  });

  test('a fractional or negative paging number is refused as unusable, naming the field and its type, never blaming the description', () => {
    expect(messageOf(checkResponse(sessionListSchema, page({ limit: 25.5 })))).toBe(
      'unusable: meta.pagination.limit is a fractional number: the description allows any number, but ut-media needs a whole number ≥ 0 to page with',
    );
    expect(messageOf(checkResponse(sessionListSchema, page({ offset: -3 })))).toBe(
      'unusable: meta.pagination.offset is a negative number: the description allows any number, but ut-media needs a whole number ≥ 0 to page with',
    );
  });

  test('a null or a wrong type the description does not allow names the field, the type found and the type described; the value is never quoted', () => {
    const nulled = messageOf(checkResponse(sessionListSchema, page({ totalCount: null })));
    expect(nulled).toBe('not-as-described: meta.pagination.totalCount is null, where the API description says a number');
    const badId = messageOf(checkResponse(sessionListSchema, { ...page({}), testId: '<script>alert(1)</script>' }));
    expect(badId).toBe('not-as-described: testId is a string of 25 characters, where the API description says a UUID');
    expect(badId).not.toContain('<script>');
  });

  test('QXscores: testId has no format in the description, so any string passes the schema', () => {
    const result = checkResponse(qxScoresSchema, { testId: 'TEST-42', qxScores: [], meta: { totalQxTasks: 0, completes: 0 } });
    expect(result.ok).toBe(true);
  });

  test('values are described by type only', () => {
    expect([undefined, null, [], [1], 0, 2.5, -1, -0.5, Infinity, '', 'abc', {}, true].map(describeValue)).toEqual([
      'absent',
      'null',
      'an empty array',
      'an array of 1',
      'a whole number',
      'a fractional number',
      'a negative number',
      'a negative fractional number',
      'a non-finite number',
      'an empty string',
      'a string of 3 characters',
      'an object',
      'a boolean',
    ]);
  });
});
