import crypto from 'node:crypto';
import { generateScenario, startSimulator, type RunningSimulator } from '../../simulator';
import {
  BadRequestError,
  InvalidCredentialsError,
  InvalidResponseError,
  LinkExpiredError,
  NotFoundError,
  RateLimitedError,
  TransientApiError,
  UnauthorizedError,
} from '../../usertesting/errors';
import { createResultsApiClient } from '../../usertesting/results-api-client';
import { openSignedMedia } from '../../usertesting/signed-media';
import { createTokenProvider } from '../../usertesting/token-provider';

/** The Results API client against the simulator: one request per call, errors typed by what to do next. */
describe('Results API client', () => {
  let sim: RunningSimulator;
  const scenario = generateScenario({ seed: 9101, sessions: 3, reels: 1, clipsPerSession: [1, 1], productMix: { THINK_OUT_LOUD: 1, SURVEY: 1 } });
  const [cutVideo, expiredVideo, survey] = scenario.tests[0].sessions;
  cutVideo!.productType = 'THINK_OUT_LOUD';
  expiredVideo!.productType = 'THINK_OUT_LOUD';
  survey!.productType = 'SURVEY';
  survey!.clips = [];

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        ...scenario,
        rateLimit: { limit: 1000, windowMs: 60_000 },
        generation: { generatingMs: 0 },
        faults: { cutBodyOnce: [`video:${cutVideo!.sessionId}`], linkExpiredOnFirstUse: [`video:${expiredVideo!.sessionId}`] },
      },
    });
  });
  afterAll(() => sim.close());

  function client(secret = sim.scenario.clients[0].clientSecret) {
    const tokens = createTokenProvider({
      credentials: { kind: 'client-credentials', clientId: sim.scenario.clients[0].clientId, clientSecret: secret },
      tokenUrl: sim.tokenUrl,
    });
    return { tokens, api: createResultsApiClient({ baseUrl: sim.baseUrl, tokens }) };
  }

  test('lists sessions and reels with one request each, reusing one token', async () => {
    sim.resetStats();
    const { api } = client();
    const testId = sim.scenario.tests[0].testId;
    const page = await api.listSessions(testId, 0, 500);
    expect(page.sessions).toHaveLength(3);
    expect((await api.listReels(testId)).reels).toHaveLength(1);
    expect(sim.stats().calls.map((c) => c.operation)).toEqual(['listSessions', 'listReels']);
    expect(sim.stats().tokenRequests).toHaveLength(1);
  });

  test('typed errors: 400, 404, wrong secret', async () => {
    const { api } = client();
    await expect(api.listSessions(sim.scenario.tests[0].testId, 0, 501)).rejects.toBeInstanceOf(BadRequestError);
    await expect(api.getVideoDownloadUrl(survey!.sessionId!)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client('wrong').api.listReels(sim.scenario.tests[0].testId)).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  test('a 401 (token revoked) drops the token, so the retry fetches a fresh one and succeeds', async () => {
    const revoking = await startSimulator({ scenario: { rateLimit: { limit: 100, windowMs: 60_000 }, faults: { revokeTokenAtCall: 2 } } });
    try {
      const tokens = createTokenProvider({ credentials: { kind: 'client-credentials', ...revoking.scenario.clients[0] }, tokenUrl: revoking.tokenUrl });
      const api = createResultsApiClient({ baseUrl: revoking.baseUrl, tokens });
      const testId = revoking.scenario.tests[0].testId;
      await api.listReels(testId);
      await expect(api.listReels(testId)).rejects.toBeInstanceOf(UnauthorizedError);
      await api.listReels(testId);
      expect(revoking.stats().calls.map((c) => c.status)).toEqual([200, 401, 200]);
      expect(revoking.stats().tokenRequests).toHaveLength(2);
    } finally {
      await revoking.close();
    }
  });

  test('a response saying nothing is left holds every later request back until the reset, with that wait; no 429 is asked for', async () => {
    const limited = await startSimulator({ scenario: { rateLimit: { limit: 1, windowMs: 30_000 } } });
    try {
      const tokens = createTokenProvider({ credentials: { kind: 'client-credentials', ...limited.scenario.clients[0] }, tokenUrl: limited.tokenUrl });
      const api = createResultsApiClient({ baseUrl: limited.baseUrl, tokens });
      await api.listReels(limited.scenario.tests[0].testId);
      const error = await api.listReels(limited.scenario.tests[0].testId).catch((e) => e);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect(error.retryAfterMs).toBeGreaterThan(20_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
      expect(limited.stats().calls.map((c) => c.status)).toEqual([200]);
    } finally {
      await limited.close();
    }
  });

  test('a body cut halfway resumes with Range and yields the exact bytes', async () => {
    const { api } = client();
    const { link } = await api.getVideoDownloadUrl(cutVideo!.sessionId!);
    const resumes: number[] = [];
    const media = await openSignedMedia(link, { onResume: (offset) => resumes.push(offset) });
    const hash = crypto.createHash('md5');
    for await (const chunk of media.stream) hash.update(chunk);
    expect(hash.digest('base64')).toBe(sim.expectedDigest({ kind: 'video', sessionId: cutVideo!.sessionId! }).md5);
    expect(resumes).toHaveLength(1);
    expect(sim.stats().media.some((m) => m.status === 206 && m.rangeStart === resumes[0])).toBe(true);
  });

  test('opened from an offset (a transfer taken over after a crash): only the rest, with the whole size', async () => {
    const { api } = client();
    const sessionId = cutVideo!.sessionId!;
    const whole = sim.expectedDigest({ kind: 'video', sessionId });
    const { link } = await api.getVideoDownloadUrl(sessionId);
    const from = 1000;
    const media = await openSignedMedia(link, {}, from);
    let rest = 0;
    for await (const chunk of media.stream) rest += chunk.length;
    expect({ startsAt: media.startsAt, totalBytes: media.totalBytes, rest }).toEqual({ startsAt: from, totalBytes: whole.bytes, rest: whole.bytes - from });
  });

  test('opened past its end (what was kept is already whole: the server answers 416): fetched whole instead', async () => {
    const { api } = client();
    const sessionId = cutVideo!.sessionId!;
    const whole = sim.expectedDigest({ kind: 'video', sessionId });
    const { link } = await api.getVideoDownloadUrl(sessionId);
    const media = await openSignedMedia(link, {}, whole.bytes);
    let bytes = 0;
    for await (const chunk of media.stream) bytes += chunk.length;
    expect({ startsAt: media.startsAt, bytes }).toEqual({ startsAt: 0, bytes: whole.bytes });
    expect(sim.stats().media.some((m) => m.status === 416)).toBe(true);
  });

  test('an expired link is reported as LinkExpiredError, with no secret in the message', async () => {
    const { api } = client();
    const { link } = await api.getVideoDownloadUrl(expiredVideo!.sessionId!);
    const error = await openSignedMedia(link).catch((e) => e);
    expect(error).toBeInstanceOf(LinkExpiredError);
    expect(String(error.message)).not.toMatch(/X-Amz|Signature/);
  });

  test(
    'answers that break the API description: HTML or empty is transient (retried), ' +
      'a missing or mistyped field names the field, extra fields are tolerated',
    async () => {
      const kinds = ['html', 'empty', 'missingField', 'wrongType', 'extraFields'] as const;
      const garbled = await startSimulator({
        scenario: {
          ...scenario,
          rateLimit: { limit: 1000, windowMs: 60_000 },
          faults: { malformedAnswers: kinds.map((kind) => ({ operation: 'listSessions' as const, kind })) },
        },
      });
      try {
        const tokens = createTokenProvider({
          credentials: { kind: 'client-credentials', clientId: garbled.scenario.clients[0].clientId, clientSecret: garbled.scenario.clients[0].clientSecret },
          tokenUrl: garbled.tokenUrl,
        });
        const api = createResultsApiClient({ baseUrl: garbled.baseUrl, tokens });
        const testId = garbled.scenario.tests[0].testId;
        const attempt = () =>
          api.listSessions(testId, 0, 500).then(
            () => 'ok',
            (e: Error) => e,
          );
        const html = await attempt();
        expect(html).toBeInstanceOf(TransientApiError);
        expect(String((html as Error).message)).toMatch(/^listSessions: response body unreadable/);
        expect(await attempt()).toBeInstanceOf(TransientApiError);
        const missing = await attempt();
        expect(missing).toBeInstanceOf(InvalidResponseError);
        expect((missing as Error).message).toMatch(
          /^listSessions: the answer does not match the API description: testId is absent, where the API description says a string$/,
        );
        const wrong = await attempt();
        expect(wrong).toBeInstanceOf(InvalidResponseError);
        expect((wrong as Error).message).toMatch(
          /^listSessions: the answer does not match the API description: testId is (?!absent)\w.*, where the API description says a string$/,
        );
        expect(await attempt()).toBe('ok');
        expect(garbled.stats().calls.map((c) => c.faultInjected)).toEqual(kinds.map((k) => `malformed:${k}`));
      } finally {
        await garbled.close();
      }
    },
  );

  describe("a stream its reader drops, on the simulator's media host", () => {
    // One video cut once about halfway; one of 8 MiB, more than the stream buffers.
    const dropping = generateScenario({ seed: 9102, sessions: 2, reels: 0, clipsPerSession: [0, 0], productMix: { THINK_OUT_LOUD: 1 } });
    const [cut, large] = dropping.tests[0].sessions;
    for (const session of [cut!, large!]) session.productType = 'THINK_OUT_LOUD';
    cut!.videoBytes = 1 << 20;
    large!.videoBytes = 8 << 20;
    let host: RunningSimulator;
    const linkTo = async (sessionId: string) => {
      const tokens = createTokenProvider({
        credentials: { kind: 'client-credentials', clientId: host.scenario.clients[0].clientId, clientSecret: host.scenario.clients[0].clientSecret },
        tokenUrl: host.tokenUrl,
      });
      return (await createResultsApiClient({ baseUrl: host.baseUrl, tokens }).getVideoDownloadUrl(sessionId)).link;
    };
    const gets = (sessionId: string) => host.stats().media.filter((m) => m.key === `video:${sessionId}` && m.method === 'GET');
    beforeAll(async () => {
      host = await startSimulator({
        scenario: { ...dropping, rateLimit: { limit: 1000, windowMs: 60_000 }, faults: { cutBodyOnce: [`video:${cut!.sessionId}`] } },
      });
    });
    afterAll(() => host.close());

    test('dropped while its link is waited out: it asks the media host for nothing more', async () => {
      const outages: unknown[] = [];
      const media = await openSignedMedia(await linkTo(cut!.sessionId), { retry: { initialDelayMs: 1500 } }, 0, { onOutage: (o) => outages.push(o) });
      let received = 0;
      media.stream.on('data', (chunk: Buffer) => (received += chunk.length));
      media.stream.on('error', () => undefined);
      const deadline = Date.now() + 5000;
      while (outages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(outages).toHaveLength(1); // the cut is being waited out
      media.stream.destroy();
      await new Promise((r) => setTimeout(r, 2500));
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(1 << 20);
      expect(gets(cut!.sessionId).map((m) => [m.rangeStart ?? 'whole', m.completed])).toEqual([['whole', false]]);
    });

    test('destroyed with an error (the destination failed): it reports that error, no outage, and asks for nothing more', async () => {
      const outages: unknown[] = [];
      const media = await openSignedMedia(await linkTo(large!.sessionId), { retry: { initialDelayMs: 1500 } }, 0, { onOutage: (o) => outages.push(o) });
      const failed = new Promise<Error>((resolve) => media.stream.once('error', resolve));
      // Listened to but not read: the stream fills its buffer and the download waits at a yield, as behind a slow destination.
      media.stream.on('readable', () => undefined);
      await new Promise((r) => setTimeout(r, 300));
      expect(media.stream.readableLength).toBeGreaterThan(0);
      media.stream.destroy(new Error('the destination failed'));
      expect((await failed).message).toBe('the destination failed');
      await new Promise((r) => setTimeout(r, 300));
      expect(outages).toEqual([]);
      expect(gets(large!.sessionId).map((m) => m.rangeStart ?? 'whole')).toEqual(['whole']);
    });
  });

  test('a link that redirects (307, as S3 and CDNs do) is followed, also for a Range resume; the bytes are exact', async () => {
    const [video] = scenario.tests[0].sessions;
    const redirecting = await startSimulator({
      scenario: {
        ...scenario,
        rateLimit: { limit: 1000, windowMs: 60_000 },
        faults: { redirectMedia: [`video:${video!.sessionId}`], cutBodyOnce: [`video:${video!.sessionId}`] },
      },
    });
    try {
      const tokens = createTokenProvider({
        credentials: {
          kind: 'client-credentials',
          clientId: redirecting.scenario.clients[0].clientId,
          clientSecret: redirecting.scenario.clients[0].clientSecret,
        },
        tokenUrl: redirecting.tokenUrl,
      });
      const api = createResultsApiClient({ baseUrl: redirecting.baseUrl, tokens });
      const { link } = await api.getVideoDownloadUrl(video!.sessionId!);
      const media = await openSignedMedia(link);
      const hash = crypto.createHash('md5');
      for await (const chunk of media.stream) hash.update(chunk);
      expect(hash.digest('base64')).toBe(redirecting.expectedDigest({ kind: 'video', sessionId: video!.sessionId! }).md5);
      expect(redirecting.stats().media.map((m) => m.status)).toEqual([307, 200, 307, 206]);
    } finally {
      await redirecting.close();
    }
  });
});
