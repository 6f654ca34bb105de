import { Readable } from 'node:stream';
import { checkContentType, checkedContent, InvalidMediaError } from '../../activities/content-check';

const read = async (chunks: Buffer[], expected: 'mp4' | 'webvtt') => {
  const out: Buffer[] = [];
  for await (const c of checkedContent(Readable.from(chunks), expected)) out.push(c as Buffer);
  return Buffer.concat(out);
};
const mp4Head = () => {
  const b = Buffer.alloc(40);
  b.writeUInt32BE(32, 0);
  b.write('ftypisom', 4, 'latin1');
  return b;
};

describe('content sanity', () => {
  test('an MP4 and a WebVTT body pass through unchanged, even in one-byte chunks', async () => {
    const mp4 = mp4Head();
    expect(
      await read(
        [...mp4].map((byte) => Buffer.from([byte])),
        'mp4',
      ),
    ).toEqual(mp4);
    const vtt = Buffer.from('\uFEFFWEBVTT\n\n00:00.000 --> 00:01.000\nhello\n');
    expect(await read([vtt.subarray(0, 3), vtt.subarray(3)], 'webvtt')).toEqual(vtt);
    expect(await read([Buffer.from('WEBVTT')], 'webvtt')).toEqual(Buffer.from('WEBVTT'));
  });

  test('an HTML page, JSON, an empty body or a transcript without the WEBVTT line fail with InvalidMediaError', async () => {
    await expect(read([Buffer.from('<!DOCTYPE html><html><body>502</body></html>')], 'mp4')).rejects.toThrow(
      /not an MP4 file \(no ftyp box; it starts with "<!DOCTYPE html><"\)/,
    );
    await expect(read([], 'mp4')).rejects.toThrow(/the body is empty/);
    await expect(read([Buffer.from('1\n00:00.000 --> 00:01.000\nhi\n')], 'webvtt')).rejects.toBeInstanceOf(InvalidMediaError);
    await expect(read([Buffer.from('WEBVTTX')], 'webvtt')).rejects.toThrow(/not WebVTT/);
    expect(() => checkContentType('text/html; charset=utf-8', 'mp4')).toThrow(/answered text\/html, not video/);
    expect(() => checkContentType('application/json', 'webvtt')).toThrow(InvalidMediaError);
    expect(() => checkContentType('video/mp4', 'mp4')).not.toThrow();
    expect(() => checkContentType('binary/octet-stream', 'mp4')).not.toThrow();
    expect(() => checkContentType('text/vtt', 'webvtt')).not.toThrow();
  });
});
