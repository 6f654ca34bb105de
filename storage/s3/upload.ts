/**
 * Streaming steps of an s3:// write: the first part's worth of bytes decides between one PutObject
 * (the whole object is then in hand) and a multipart upload into a temp key. The parts are cut into
 * buffers that are reused once their part is stored, at most `queueSize` uploading while the next
 * fills: memory stays at about (queueSize + 1) x partSize whatever the object's size. (lib-storage's
 * Upload concatenated every part into a fresh buffer: gigabytes of garbage awaiting collection.)
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

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

export interface TempUpload {
  bucket: string;
  key: string;
  contentType: string;
  partSize: number;
  queueSize: number;
  /** Aborts the requests in flight. */
  signal?: AbortSignal;
}

/**
 * Uploads the head already read, then the rest of `body`, to the temp key in parts, each with a
 * CRC32C the store verifies; returns the ETag of the completed temp object. On failure the
 * multipart upload is aborted (once no part is in flight) before rejecting: no part is left behind.
 * Errors of `body` and of the SDK go back unchanged.
 */
export async function uploadToTemp(client: S3Client, t: TempUpload, head: Head, body: AsyncIterator<Buffer>): Promise<string> {
  const { UploadId } = await client.send(
    new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, ContentType: t.contentType, ChecksumAlgorithm: 'CRC32C' }),
    {
      abortSignal: t.signal,
    },
  );
  const abort = new AbortController();
  const onCallerAbort = () => abort.abort();
  t.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const parts = new PartQueue(client, { ...t, uploadId: UploadId!, signal: abort.signal });
  try {
    for (const chunk of head.chunks.splice(0)) await parts.take(chunk);
    for (;;) {
      const next = await body.next();
      if (next.done) break;
      await parts.take(next.value);
    }
    const completed = await parts.finish();
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId, MultipartUpload: { Parts: completed } }), {
      abortSignal: t.signal,
    });
    if (!done.ETag) throw new Error(`the store completed ${t.key} without an ETag`);
    return done.ETag;
  } catch (err) {
    abort.abort();
    await parts.settled();
    await client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId })).catch(() => undefined);
    throw err;
  } finally {
    t.signal?.removeEventListener('abort', onCallerAbort);
  }
}

interface PartTarget {
  bucket: string;
  key: string;
  uploadId: string;
  partSize: number;
  queueSize: number;
  signal: AbortSignal;
}

/** Cuts bytes into parts of `partSize` and uploads them, at most `queueSize` at a time. */
class PartQueue {
  private readonly completed: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Buffers of stored parts, reused for the next ones. */
  private readonly spare: Buffer[] = [];
  private part: Buffer | undefined;
  private filled = 0;
  private failure: unknown;
  private failed = false;

  constructor(
    private readonly client: S3Client,
    private readonly target: PartTarget,
  ) {}

  async take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.filled === this.target.partSize) await this.send();
      this.part ??= this.spare.pop() ?? Buffer.allocUnsafe(this.target.partSize);
      const copied = chunk.copy(this.part, this.filled, offset);
      offset += copied;
      this.filled += copied;
    }
  }

  /** Sends the last part and waits for all: the list to complete the upload with. */
  async finish(): Promise<CompletedPart[]> {
    if (this.filled > 0 || this.completed.length === 0) await this.send();
    await this.settled();
    if (this.failed) throw this.failure;
    return this.completed;
  }

  async settled(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private async send(): Promise<void> {
    while (this.inFlight.size >= this.target.queueSize) await Promise.race(this.inFlight);
    if (this.failed) throw this.failure;
    const buffer = this.part ?? Buffer.alloc(0);
    const body = buffer.subarray(0, this.filled);
    this.part = undefined;
    this.filled = 0;
    const partNumber = this.completed.length + 1;
    this.completed.push({ PartNumber: partNumber });
    const { bucket, key, uploadId, signal } = this.target;
    const request = this.client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
        ChecksumAlgorithm: 'CRC32C',
      }),
      { abortSignal: signal },
    );
    const tracked: Promise<void> = request.then(
      ({ ETag, ChecksumCRC32C }) => {
        this.inFlight.delete(tracked);
        this.completed[partNumber - 1] = { PartNumber: partNumber, ETag, ChecksumCRC32C };
        if (buffer.length === this.target.partSize) this.spare.push(buffer);
      },
      (err: unknown) => {
        this.inFlight.delete(tracked);
        if (!this.failed) [this.failed, this.failure] = [true, err];
      },
    );
    this.inFlight.add(tracked);
  }
}
