import { detailsPath, transcriptPath } from '../../contract/asset-paths';
import type { Manifest } from '../../contract/manifest-types';
import type { Destination } from '../../storage';

/** Text as the API could return it: markup, quotes, paths. The page must show each exactly, as text. */
export const HOSTILE_TEXTS = {
  clipName: `"'><script>window.pwned=true</script><img src=x onerror="window.pwned=true"> ../../etc/passwd`,
  reelName: `</script><script>window.pwned=true</script> 'reel' "one" ../`,
  answer: `</script><script>window.pwned=true</script><b>"it's" ../../x</b> & more`,
  /** As it reads once the cue's entities are decoded. */
  transcriptLine: `<img src=x onerror=window.pwned=true> said ../ "hi" & left`,
};

const TEST_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';
const SESSION_ID = '1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d';

/** A test of one session whose names, answer and transcript are hostile, stored in `destination`, and its manifest. */
export async function hostileManifest(destination: Destination): Promise<Manifest> {
  const vtt = `WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\n<v Participant>${HOSTILE_TEXTS.transcriptLine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}\n`;
  const details = {
    sessionId: SESSION_ID,
    sessionParticipant: { participantId: `"><script>window.pwned=true</script>`, demographicsInfo: [{ label: '<i>Gender</i>', value: `"'<u>x</u>` }] },
    tasks: [{ uuid: 'x', text: '<h1>task</h1>', type: 'WRITTEN', response: { skipped: false, answer: { written: { text: HOSTILE_TEXTS.answer } } } }],
  };
  const transcript = await destination.writeSmallObject(transcriptPath(TEST_ID, SESSION_ID), vtt, { contentType: 'text/vtt' });
  const stored = await destination.writeSmallObject(detailsPath(TEST_ID, SESSION_ID), JSON.stringify(details), { contentType: 'application/json' });
  const common = { testId: TEST_ID, sessionId: SESSION_ID, downloadedAt: '2026-01-01T00:00:00.000Z', startTime: '2026-01-01T00:00:00.000Z' };
  const at = (o: typeof transcript) => ({ status: 'stored' as const, storagePath: o.uri, bytes: o.bytes, md5: o.md5, crc32c: o.crc32c });
  const absent = (reason: string) => ({ status: 'failed' as const, reason, storagePath: 'x', bytes: null, md5: null, crc32c: null });
  return {
    testId: TEST_ID,
    updatedAt: '2026-01-01T00:00:00.000Z',
    assets: [
      {
        kind: 'reel',
        testId: TEST_ID,
        reelId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        name: HOSTILE_TEXTS.reelName,
        ...absent('<script>window.pwned=true</script>'),
        downloadedAt: null,
      },
      { kind: 'transcript', ...common, ...at(transcript) },
      { kind: 'details', ...common, ...at(stored) },
      { kind: 'video', ...common, ...absent(`no video: "<script>window.pwned=true</script>"`), downloadedAt: null },
      {
        kind: 'clip',
        ...common,
        clipId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
        name: HOSTILE_TEXTS.clipName,
        description: '<marquee>desc</marquee>',
        timeStartMs: 1000,
        timeEndMs: 3000,
        ...absent('not generated'),
        downloadedAt: null,
      },
    ],
  };
}
