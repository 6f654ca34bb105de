import { startSimulator, type RunningSimulator } from '../../simulator';

/** Response bodies are checked field by field with expect(); untyped JSON keeps that readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = (res: Response): Promise<any> => res.json();

const TEST_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const SURVEY_TEST = '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d';
const TOL = '5a1d8707-0cf1-47d4-86f3-7c7b8722921d';
const NTOL = '41f72104-5f84-44fa-a16a-03f5751596ec';
const LIVE = '6c84fb90-12c4-41c9-9f1b-bd1d7b1b9f01';
const SURVEY = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
const CLIP_A = 'a0ff28a2-020b-4944-ab5a-ba035269641e';
const CLIP_B = 'b1ff28a2-020b-4944-ab5a-ba035269641f';
const CLIP_ERR = 'c2ff28a2-020b-4944-ab5a-ba0352696420';
const REEL = '8fdc898f-3b2b-4f45-91a2-2a6b618bc987';
const REEL_ERR_ONCE = '9fdc898f-3b2b-4f45-91a2-2a6b618bc988';
const REEL_ALWAYS = 'afdc898f-3b2b-4f45-91a2-2a6b618bc989';
const GENERATING_MS = 150;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('simulator reels, clips, videos and transcripts', () => {
  let sim: RunningSimulator;
  let token: string;
  const get = (path: string) => fetch(`${sim.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const json = async (path: string, status = 200) => {
    const res = await get(path);
    expect({ path, status: res.status }).toEqual({ path, status });
    return jsonOf(res);
  };

  beforeAll(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 5,
        rateLimit: { limit: 10_000 },
        generation: { generatingMs: GENERATING_MS },
        linkTtlMs: { reelAndClip: 900_000, video: 3_600_000 },
        faults: { generationErrorOnce: [REEL_ERR_ONCE, CLIP_ERR], alwaysError: [REEL_ALWAYS] },
        tests: [
          {
            testId: TEST_ID,
            sessions: [
              {
                sessionId: TOL,
                productType: 'THINK_OUT_LOUD',
                clips: [
                  { uuid: CLIP_A, name: 'Clip #1', description: 'Checkout', timeStartMs: 3708, timeEndMs: 33708 },
                  { uuid: CLIP_B, hasCamera: true },
                ],
              },
              { sessionId: NTOL, productType: 'NON_THINK_OUT_LOUD', clips: [{ uuid: CLIP_ERR }] },
              { sessionId: LIVE, productType: 'LIVE_CONVERSATION' },
              { sessionId: SURVEY, productType: 'SURVEY' },
            ],
            reels: [
              { uuid: REEL, name: 'Checkout highlights', durationMs: 120000, lastUpdatedAtMs: 1766051123000, numClips: 4, areAllClipsInReel: true },
              { uuid: REEL_ERR_ONCE },
              { uuid: REEL_ALWAYS },
            ],
          },
          { testId: SURVEY_TEST, sessions: [{ productType: 'SURVEY' }, { productType: 'SURVEY' }] },
        ],
      },
      port: 0,
    });
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'studies:read', client_id: 'demo-client', client_secret: 'demo-secret' }),
    });
    token = (await jsonOf(res)).access_token;
  });
  afterAll(() => sim.close());

  test('reel list: the documented fields (no sizes) and studyWithClips', async () => {
    const body = await json(`/api/v2/testResults/${TEST_ID}/highlightreels`);
    expect(body.studyWithClips).toBe(true);
    expect(body.reels).toHaveLength(3);
    expect(body.reels[0]).toEqual({
      uuid: REEL,
      name: 'Checkout highlights',
      durationMs: 120000,
      lastUpdatedAtMs: 1766051123000,
      numClips: 4,
      areAllClipsInReel: true,
    });
  });

  test('a test of surveys only has no reels and no clips (empty list, not 404)', async () => {
    expect(await json(`/api/v2/testResults/${SURVEY_TEST}/highlightreels`)).toEqual({ reels: [], studyWithClips: false });
  });

  test('reel: GENERATING (reelUrl null) until generatingMs after the first GET, then GENERATED with a signed link', async () => {
    const path = `/api/v2/testResults/${TEST_ID}/highlightreels/${REEL}`;
    expect(await json(path)).toEqual({ reelId: REEL, status: 'GENERATING', reelUrl: null });
    expect(await json(path)).toEqual({ reelId: REEL, status: 'GENERATING', reelUrl: null });
    await sleep(GENERATING_MS + 20);
    const ready = await json(path);
    expect(ready).toEqual({ reelId: REEL, status: 'GENERATED', reelUrl: expect.any(String) });
    const url = new URL(ready.reelUrl);
    expect(url.pathname).toBe(`/media/usertesting-videosprod/reels/${REEL}.mp4`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    const again = await json(path);
    expect(again.status).toBe('GENERATED');
    expect(again.reelUrl).not.toBe(ready.reelUrl);
    const media = await fetch(ready.reelUrl);
    expect(media.status).toBe(200);
    expect(Number(media.headers.get('content-length'))).toBe(sim.expectedDigest({ kind: 'reel', testId: TEST_ID, reelId: REEL }).bytes);
    await media.arrayBuffer();
  });

  test('generationErrorOnce: ERROR on the first check after generation time, then a new attempt succeeds', async () => {
    sim.resetStats();
    const path = `/api/v2/testResults/${TEST_ID}/highlightreels/${REEL_ERR_ONCE}`;
    expect((await json(path)).status).toBe('GENERATING');
    await sleep(GENERATING_MS + 20);
    expect(await json(path)).toEqual({ reelId: REEL_ERR_ONCE, status: 'ERROR', reelUrl: null });
    expect((await json(path)).status).toBe('GENERATING');
    await sleep(GENERATING_MS + 20);
    expect((await json(path)).status).toBe('GENERATED');
    expect(sim.stats().calls.map((c) => c.faultInjected)).toEqual([undefined, 'generationErrorOnce', undefined, undefined]);
  });

  test('alwaysError: every attempt ends in ERROR', async () => {
    const path = `/api/v2/testResults/${TEST_ID}/highlightreels/${REEL_ALWAYS}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await json(path)).status).toBe('GENERATING');
      await sleep(GENERATING_MS + 20);
      expect((await json(path)).status).toBe('ERROR');
    }
  });

  test('a reel of another test → 404', async () => {
    await json(`/api/v2/testResults/${SURVEY_TEST}/highlightreels/${REEL}`, 404);
  });

  test('clip list: documented fields with videoUuid, layout and video regions', async () => {
    const body = await json(`/api/v2/sessionResults/${TOL}/clips`);
    const session = sim.scenario.tests[0].sessions[0];
    expect(body.studyUuid).toBe(TEST_ID);
    expect(body.clips[0]).toEqual({
      uuid: CLIP_A,
      name: 'Clip #1',
      description: 'Checkout',
      timeStartMs: 3708,
      timeEndMs: 33708,
      videoUuid: session.videoUuid,
      hasAudio: true,
      hasCamera: false,
      layout: { mainStream: 'SCREEN', pipPosition: 'BOTTOM_RIGHT', pipState: 'CLOSED' },
    });
    expect(body.clips[1]).toMatchObject({ uuid: CLIP_B, hasCamera: true, layout: { pipState: 'OPENED' } });
    expect(body.videoRegions.screen).toEqual({ topLeftPoint: { x: 0, y: 0 }, widthPx: 1920, heightPx: 1080 });
    expect(body.videoRegions.camera).toBeDefined();
    expect(await json(`/api/v2/sessionResults/${LIVE}/clips`)).toMatchObject({ studyUuid: TEST_ID, clips: [] });
  });

  test('clip: GENERATING without clipUrl, then GENERATED with clipUrl; ERROR once then recovers', async () => {
    const path = `/api/v2/sessionResults/${TOL}/clips/${CLIP_A}`;
    expect(await json(path)).toEqual({ clipUuid: CLIP_A, status: 'GENERATING' });
    await sleep(GENERATING_MS + 20);
    const ready = await json(path);
    expect(ready).toEqual({ clipUuid: CLIP_A, status: 'GENERATED', clipUrl: expect.stringContaining(`/clips/${CLIP_A}.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256`) });
    const errPath = `/api/v2/sessionResults/${NTOL}/clips/${CLIP_ERR}`;
    await json(errPath);
    await sleep(GENERATING_MS + 20);
    expect(await json(errPath)).toEqual({ clipUuid: CLIP_ERR, status: 'ERROR' });
    expect((await json(errPath)).status).toBe('GENERATING');
  });

  test('a clip of another session → 404', async () => {
    await json(`/api/v2/sessionResults/${NTOL}/clips/${CLIP_A}`, 404);
  });

  test('video download URL: signed link valid one hour, with sessionId and expiresAt', async () => {
    const before = Date.now();
    const body = await json(`/api/v2/sessionResults/${NTOL}/videoDownloadUrl`);
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'sessionId', 'videoUrl']);
    expect(body.sessionId).toBe(NTOL);
    const expiresAt = Date.parse(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    const url = new URL(body.videoUrl);
    expect(url.pathname).toBe(`/media/usertesting-videosprod/videos/${NTOL}/session.mp4`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    const head = await fetch(body.videoUrl, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(sim.scenario.tests[0].sessions[1].videoBytes);
  });

  test('transcript: WebVTT for think-out-loud and live conversation; 404 for interaction tests and surveys', async () => {
    const res = await get(`/api/v2/sessionResults/${TOL}/transcript`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
    const vtt = await res.text();
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    const cues = vtt.match(/^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$/gm) ?? [];
    expect(cues.length).toBeGreaterThanOrEqual(6);
    expect(await (await get(`/api/v2/sessionResults/${TOL}/transcript`)).text()).toBe(vtt);
    expect((await get(`/api/v2/sessionResults/${LIVE}/transcript`)).status).toBe(200);
    expect((await json(`/api/v2/sessionResults/${NTOL}/transcript`, 404)).message).toBe('Transcript not found');
    await json(`/api/v2/sessionResults/${SURVEY}/transcript`, 404);
  });

  test('surveys have no video and no clips: 404', async () => {
    expect(await json(`/api/v2/sessionResults/${SURVEY}/videoDownloadUrl`, 404)).toEqual({
      statusCode: 404,
      message: 'Session video not found',
      error: 'Not Found',
    });
    await json(`/api/v2/sessionResults/${SURVEY}/clips`, 404);
    await json(`/api/v2/sessionResults/${SURVEY}/clips/${CLIP_A}`, 404);
  });

  test('updateReel changes lastUpdatedAtMs, the bytes and the digest, and makes the reel generate again', async () => {
    const key = { kind: 'reel' as const, testId: TEST_ID, reelId: REEL };
    const before = sim.expectedDigest(key);
    sim.updateReel(TEST_ID, REEL, { lastUpdatedAtMs: 1766051999000 });
    const after = sim.expectedDigest(key);
    expect(after.bytes).toBe(before.bytes);
    expect(after.md5).not.toBe(before.md5);
    expect(after.crc32c).not.toBe(before.crc32c);
    const list = await json(`/api/v2/testResults/${TEST_ID}/highlightreels`);
    expect(list.reels[0].lastUpdatedAtMs).toBe(1766051999000);
    expect(sim.scenario.tests[0].reels[0].lastUpdatedAtMs).toBe(1766051999000);
    expect((await json(`/api/v2/testResults/${TEST_ID}/highlightreels/${REEL}`)).status).toBe('GENERATING');
    expect(() => sim.updateReel(SURVEY_TEST, REEL, { lastUpdatedAtMs: 1 })).toThrow();
    expect(() => sim.expectedDigest({ kind: 'video', sessionId: SURVEY })).toThrow(/no media object/);
  });
});
