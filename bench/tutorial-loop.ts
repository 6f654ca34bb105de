/**
 * The comparison of `npm run bench`: what a user would write from the three tutorials' pseudo-code,
 * kept plain on purpose. One request at a time; reels and clips polled one by one with the tutorials'
 * linear backoff (3 s × attempt, at most 10 attempts); a 429 waits for the announced reset; every
 * file streamed to disk. Not shipped, not used by the product.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface TutorialLoopInput {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  testId: string;
  dest: string;
  /** The tutorials' first poll delay. @default 3000 */
  initialDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runTutorialLoop(input: TutorialLoopInput): Promise<{ files: number }> {
  const initialDelayMs = input.initialDelayMs ?? 3000;
  const basic = Buffer.from(`${input.clientId}:${input.clientSecret}`).toString('base64');
  const tokenResponse = await fetch(input.tokenUrl, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=studies:read',
  });
  const accessToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
  let files = 0;

  /** GET with the bearer token; on 429 wait for the reset and ask again. Returns undefined on 404. */
  async function api(pathAndQuery: string): Promise<Response | undefined> {
    for (;;) {
      const response = await fetch(`${input.baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${accessToken}` } });
      if (response.status === 429) {
        await response.body?.cancel();
        await sleep(Number(response.headers.get('x-ratelimit-reset') ?? '60') * 1000);
        continue;
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        await sleep(1000);
        continue;
      }
      if (!response.ok) throw new Error(`${pathAndQuery}: ${response.status}`);
      return response;
    }
  }

  async function download(url: string, file: string): Promise<void> {
    const response = await fetch(url);
    if (!response.ok || !response.body) throw new Error(`download failed: ${response.status}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), fs.createWriteStream(file));
    files++;
  }

  async function waitForUrl(detailPath: string, urlField: 'reelUrl' | 'clipUrl'): Promise<string | undefined> {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const response = await api(detailPath);
      if (!response) return undefined;
      const body = (await response.json()) as { status: string; reelUrl?: string; clipUrl?: string };
      if (body.status === 'GENERATED' && body[urlField]) return body[urlField];
      if (body.status === 'ERROR') return undefined;
      await sleep(initialDelayMs * attempt);
    }
    return undefined;
  }

  const testFolder = path.join(input.dest, `test_id=${input.testId}`);
  const reels = (await (await api(`/api/v2/testResults/${input.testId}/highlightreels`))?.json()) as { reels: Array<{ uuid: string }> } | undefined;
  for (const reel of reels?.reels ?? []) {
    const url = await waitForUrl(`/api/v2/testResults/${input.testId}/highlightreels/${reel.uuid}`, 'reelUrl');
    if (url) await download(url, path.join(testFolder, 'highlight_reels', `${reel.uuid}.mp4`));
  }

  const sessionIds: string[] = [];
  for (let offset = 0; ;) {
    const page = (await (await api(`/api/v2/sessionResults?testId=${input.testId}&limit=500&offset=${offset}`))!.json()) as {
      sessions: Array<{ sessionId: string }>;
      meta: { pagination: { totalCount: number } };
    };
    sessionIds.push(...page.sessions.map((s) => s.sessionId));
    offset += page.sessions.length;
    if (!page.sessions.length || offset >= page.meta.pagination.totalCount) break;
  }

  for (const sessionId of sessionIds) {
    const folder = path.join(testFolder, `session_id=${sessionId}`);
    const clips = (await (await api(`/api/v2/sessionResults/${sessionId}/clips`))?.json()) as { clips: Array<{ uuid: string }> } | undefined;
    for (const clip of clips?.clips ?? []) {
      const url = await waitForUrl(`/api/v2/sessionResults/${sessionId}/clips/${clip.uuid}`, 'clipUrl');
      if (url) await download(url, path.join(folder, 'clips', `${clip.uuid}.mp4`));
    }
    const video = await api(`/api/v2/sessionResults/${sessionId}/videoDownloadUrl`);
    if (video) await download(((await video.json()) as { videoUrl: string }).videoUrl, path.join(folder, 'session.mp4'));
    const transcript = await api(`/api/v2/sessionResults/${sessionId}/transcript`);
    if (transcript?.body) {
      fs.mkdirSync(folder, { recursive: true });
      await pipeline(Readable.fromWeb(transcript.body as import('node:stream/web').ReadableStream), fs.createWriteStream(path.join(folder, 'transcript.vtt')));
      files++;
    }
  }
  return { files };
}
