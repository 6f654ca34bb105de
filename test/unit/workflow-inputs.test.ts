import { DEFAULT_RUN_OPTIONS, ingestSessionInputSchema, ingestTestResultInputSchema, describeIssues } from '../../contract/inputs';
import { clipPath, detailsPath, manifestPath, qxScorePath, reelPath, transcriptPath, videoPath } from '../../contract/asset-paths';

const testId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const sessionId = '41f72104-5f84-44fa-a16a-03f5751596ec';

describe('workflow inputs', () => {
  test('defaults: every asset kind and the contract delays', () => {
    const parsed = ingestTestResultInputSchema.parse({ testId, dest: 'gs://bucket/p' });
    expect(parsed.only).toEqual(['reels', 'clips', 'videos', 'transcripts', 'details', 'qxscore']);
    expect(parsed.refreshDetails).toBeUndefined();
    expect(parsed.options).toMatchObject({ pollInitialDelayMs: 3000, pollMaxDelayMs: 60000, generationDeadlineMs: 86_400_000 });
  });

  test('the exported defaults are a valid `options` as they are', () => {
    const parsed = ingestTestResultInputSchema.safeParse({ testId, dest: 'gs://bucket/p', options: { ...DEFAULT_RUN_OPTIONS } });
    expect(parsed.success ? parsed.data.options : describeIssues(parsed.error)).toEqual(DEFAULT_RUN_OPTIONS);
  });

  test('`only` as typed in the Temporal UI: an array or a comma-separated string', () => {
    expect(ingestTestResultInputSchema.parse({ testId, dest: 'x', only: 'Videos, reels' }).only).toEqual(['videos', 'reels']);
    expect(ingestTestResultInputSchema.parse({ testId, dest: 'x', only: ['clips'] }).only).toEqual(['clips']);
    expect(ingestTestResultInputSchema.parse({ testId, dest: 'x', only: 'details,QXscore' }).only).toEqual(['details', 'qxscore']);
  });

  test('refreshDetails is a boolean', () => {
    expect(ingestTestResultInputSchema.parse({ testId, dest: 'x', refreshDetails: true }).refreshDetails).toBe(true);
    const r = ingestTestResultInputSchema.safeParse({ testId, dest: 'x', refreshDetails: 'yes' });
    expect(describeIssues(r.error!)).toMatch(/refreshDetails: refreshDetails must be true or false/);
  });

  test('prune with chosen sessions is refused, not ignored: a run of some sessions cannot see a withdrawal', () => {
    const sessionIds = [sessionId];
    expect(ingestTestResultInputSchema.safeParse({ testId, dest: 'x', sessionIds }).success).toBe(true);
    expect(ingestTestResultInputSchema.safeParse({ testId, dest: 'x', prune: false, sessionIds }).success).toBe(true);
    const r = ingestTestResultInputSchema.safeParse({ testId, dest: 'x', prune: true, sessionIds });
    expect(describeIssues(r.error!)).toBe('prune: prune needs the whole session list and cannot go with sessionIds: leave out one of them');
  });

  test('messages name every wrong field', () => {
    const result = ingestTestResultInputSchema.safeParse({ testId: 'x', only: 'movies', extra: 1 });
    expect(result.success).toBe(false);
    const message = describeIssues(result.error!);
    expect(message).toMatch(/testId: testId must be a UUID/);
    expect(message).toMatch(/dest: dest is required/);
    expect(message).toMatch(/unknown asset kind "movies"/);
    expect(message).toMatch(/extra/);
  });

  test('ids are normalised to lower case; a session input needs both ids', () => {
    expect(ingestSessionInputSchema.parse({ testId: testId.toUpperCase(), sessionId, dest: 'x' }).testId).toBe(testId);
    expect(ingestSessionInputSchema.safeParse({ testId, dest: 'x' }).success).toBe(false);
  });

  test('poll delays must grow', () => {
    const r = ingestTestResultInputSchema.safeParse({ testId, dest: 'x', options: { pollInitialDelayMs: 5000, pollMaxDelayMs: 100 } });
    expect(r.success).toBe(false);
  });
});

describe('destination layout', () => {
  test('paths follow docs/layout-and-manifest.md and come from UUIDs only', () => {
    expect(reelPath(testId, sessionId)).toBe(`test_id=${testId}/highlight_reels/${sessionId}.mp4`);
    expect(videoPath(testId, sessionId)).toBe(`test_id=${testId}/session_id=${sessionId}/session.mp4`);
    expect(transcriptPath(testId, sessionId)).toBe(`test_id=${testId}/session_id=${sessionId}/transcript.vtt`);
    expect(clipPath(testId, sessionId, testId)).toBe(`test_id=${testId}/session_id=${sessionId}/clips/${testId}.mp4`);
    expect(manifestPath(testId)).toBe(`test_id=${testId}/manifest.json`);
    expect(detailsPath(testId, sessionId)).toBe(`test_id=${testId}/session_id=${sessionId}/session.json`);
    expect(qxScorePath(testId)).toBe(`test_id=${testId}/qxscore.json`);
    expect(() => reelPath(testId, '../../etc/passwd')).toThrow(/not a UUID/);
  });
});
