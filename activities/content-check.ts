import { Readable } from 'node:stream';
import { redactSecrets } from '../usertesting/redact';

/** What a media body must be: an MP4 (ISO BMFF) file, or a WebVTT transcript. */
export type ExpectedContent = 'mp4' | 'webvtt';

/**
 * Thrown when a body is not what it claims to be (an HTML error page answered with 200, an empty
 * body, a JSON error): the asset is failed with this reason and nothing is stored. Not retried.
 */
export class InvalidMediaError extends Error {
  override readonly name = 'InvalidMediaError';
  constructor(
    message: string,
    readonly expected: ExpectedContent,
  ) {
    super(message);
  }
}

/** Top-level ISO BMFF boxes a file can start with (`ftyp` in MP4; QuickTime files may lead with others). */
const MP4_FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);
const HEAD_BYTES = 16;
const BOM = '\uFEFF';

/** A Content-Type that cannot be media: an error page or an API error body. */
export function checkContentType(contentType: string, expected: ExpectedContent): void {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || type === 'application/json' || type === 'application/xml' || (expected === 'mp4' && type.startsWith('text/'))) {
    throw new InvalidMediaError(
      `the ${expected === 'mp4' ? 'media' : 'transcript'} link answered ${type}, not ${expected === 'mp4' ? 'video' : 'WebVTT'}; nothing was stored`,
      expected,
    );
  }
}

/** Passes the bytes through once their head looks like `expected`; else fails with InvalidMediaError. */
export function checkedContent(source: NodeJS.ReadableStream, expected: ExpectedContent): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    let head = Buffer.alloc(0);
    let checked = false;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (checked) {
        yield chunk;
        continue;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < HEAD_BYTES) continue;
      checkHead(head, expected);
      checked = true;
      yield head;
    }
    if (!checked) {
      checkHead(head, expected);
      if (head.length) yield head;
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

function checkHead(head: Buffer, expected: ExpectedContent): void {
  if (expected === 'mp4') {
    const box = head.length >= 8 ? head.toString('latin1', 4, 8) : '';
    if (!MP4_FIRST_BOXES.has(box))
      throw new InvalidMediaError(`the body is not an MP4 file (no ftyp box; it starts with ${describeHead(head)}); nothing was stored`, expected);
    return;
  }
  const text = head.toString('utf8').replace(BOM, '');
  if (!/^WEBVTT(?:[ \t\r\n]|$)/.test(text))
    throw new InvalidMediaError(`the transcript is not WebVTT (it starts with ${describeHead(head)}); nothing was stored`, expected);
}

function describeHead(head: Buffer): string {
  if (!head.length) return 'nothing: the body is empty';
  const printable = head.toString('latin1', 0, HEAD_BYTES).replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(redactSecrets(printable));
}
