/**
 * Streaming steps of an s3:// write: the first part's worth of bytes decides between one PutObject
 * (the whole object is then in hand) and a multipart upload by `@aws-sdk/lib-storage` into a temp
 * key, with memory bounded by its part size times the parts in flight.
 */
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface Head {
  chunks: Buffer[];
  bytes: number;
  /** The whole body fitted: nothing more will come. */
  ended: boolean;
}

/** Reads chunks until more than `limit` bytes have come or the body ended. */
export async function readHead(body: AsyncIterator<Buffer>, limit: number): Promise<Head> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  while (bytes <= limit) {
    const next = await body.next();
    if (next.done) return { chunks, bytes, ended: true };
    chunks.push(next.value);
    bytes += next.value.length;
  }
  return { chunks, bytes, ended: false };
}

/** The head already read, then the rest of `body`, as one Readable (what lib-storage takes). */
export function rejoin(head: Head, body: AsyncIterator<Buffer>): Readable {
  async function* all(): AsyncGenerator<Buffer> {
    // Handed over one by one, so the head's memory goes with its parts.
    while (head.chunks.length) yield head.chunks.shift()!;
    for (;;) {
      const next = await body.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return Readable.from(all(), { objectMode: false });
}

export interface TempUpload {
  bucket: string;
  key: string;
  body: Readable;
  contentType: string;
  partSize: number;
  queueSize: number;
}

/**
 * Uploads `body` to the temp key in parts, each with a CRC32C the store verifies; returns the
 * ETag of the completed temp object. On failure lib-storage aborts the multipart upload before
 * rejecting (leavePartsOnError: false), so no part is left behind.
 */
export async function uploadToTemp(client: S3Client, t: TempUpload): Promise<string> {
  const upload = new Upload({
    client,
    params: { Bucket: t.bucket, Key: t.key, Body: t.body, ContentType: t.contentType, ChecksumAlgorithm: 'CRC32C' },
    partSize: t.partSize,
    queueSize: t.queueSize,
    leavePartsOnError: false,
  });
  const done = await upload.done();
  if (!done.ETag) throw new Error(`the store completed ${t.key} without an ETag`);
  return done.ETag;
}
