/** The one rule of --json: one object per process, `ok` from the exit code, `error` last, redacted. */
describe('printJsonOutcome', () => {
  let written: string[];
  let write: jest.SpyInstance;
  beforeEach(() => {
    jest.resetModules();
    written = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => write.mockRestore());

  test('ok, exitCode, the fields, then error; a second object is not printed', async () => {
    const { printJsonOutcome } = await import('../../cli/json-outcome');
    printJsonOutcome({ code: 1, error: 'GET https://cdn.example/v.mp4?X-Amz-Signature=abc answered 403' }, { testId: 't', at: new Date(0) });
    printJsonOutcome({ code: 0 }, { testId: 't' });
    expect(written).toHaveLength(1);
    expect(written[0].endsWith('\n')).toBe(true);
    expect(Object.entries(JSON.parse(written[0]))).toEqual([
      ['ok', false],
      ['exitCode', 1],
      ['testId', 't'],
      ['at', '1970-01-01T00:00:00.000Z'],
      ['error', 'GET https://cdn.example/v.mp4?[redacted] answered 403'],
    ]);
  });

  test('one row is the object itself; several are `tests`, with the worst code and a cause', async () => {
    const { printJsonRows } = await import('../../cli/json-outcome');
    expect(
      printJsonRows(
        [
          { code: 0, body: { testId: 'a' } },
          { code: 1, error: 'no ingestion found', body: { testId: 'b' } },
        ],
        { total: 2 },
      ),
    ).toBe(1);
    expect(JSON.parse(written[0])).toEqual({
      ok: false,
      exitCode: 1,
      tests: [
        { ok: true, exitCode: 0, testId: 'a' },
        { ok: false, exitCode: 1, testId: 'b', error: 'no ingestion found' },
      ],
      total: 2,
      error: '1 of 2 tests did not succeed (each row says why)',
    });
  });
});
