/**
 * A pass-through Transform that computes MD5 and CRC32C (both base64, as GCS reports them) and
 * counts bytes, optionally enforcing an expected size, so a destination knows what it was sent
 * without holding the data.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Crc32c } from './crc32c';
import { OffThreadHasher } from './hashing-threads';
import { SizeMismatchError } from './errors';

/** Streams at least this long (or of unknown length) are hashed on the hashing threads. */
const OFF_THREAD_MIN_BYTES = 8 << 20;

export interface ChecksumTransformOptions {
  /** Object path, for error messages. */
  relativePath: string;
  /** Fail with SizeMismatchError as soon as more arrive, or at the end if fewer did. */
  expectedBytes?: number;
  /** Called after each chunk with the running byte count. */
  onProgress?: (bytes: number) => void;
}

export interface Checksums {
  bytes: number;
  md5: string;
  crc32c: string;
}

export class ChecksumTransform extends Transform {
  private readonly md5Hash: Hash = createHash('md5');
  private readonly crc = new Crc32c();
  private readonly offThread: OffThreadHasher | undefined;
  private byteCount = 0;
  private result: Checksums | undefined;

  constructor(private readonly options: ChecksumTransformOptions) {
    super({ highWaterMark: 1 << 20 });
    const { expectedBytes } = options;
    if (expectedBytes !== undefined && !(Number.isSafeInteger(expectedBytes) && expectedBytes >= 0)) {
      throw new Error(`expectedBytes must be a non-negative integer, got ${expectedBytes}`);
    }
    if (expectedBytes === undefined || expectedBytes >= OFF_THREAD_MIN_BYTES) this.offThread = new OffThreadHasher();
  }

  /** Counts bytes that are already at the destination (a resumed write) without passing them on. */
  async absorb(buf: Buffer): Promise<void> {
    this.byteCount += buf.length;
    await this.hash(buf);
    // Re-reading gigabytes takes a while: the activity must keep heartbeating meanwhile.
    this.options.onProgress?.(this.byteCount);
  }

  private hash(buf: Buffer): Promise<void> | undefined {
    if (this.offThread) return this.offThread.update(buf);
    this.md5Hash.update(buf);
    this.crc.update(buf);
    return undefined;
  }

  override _transform(chunk: unknown, encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
    const { expectedBytes, relativePath, onProgress } = this.options;
    if (expectedBytes !== undefined && this.byteCount + buf.length > expectedBytes) {
      callback(new SizeMismatchError(relativePath, expectedBytes, this.byteCount + buf.length, true));
      return;
    }
    this.byteCount += buf.length;
    const passOn = () => {
      try {
        onProgress?.(this.byteCount);
      } catch {
        // A progress callback must not break the transfer.
      }
      callback(null, buf);
    };
    const hashed = this.hash(buf);
    if (hashed) hashed.then(passOn, (err: Error) => callback(err));
    else passOn();
  }

  override _flush(callback: TransformCallback): void {
    const { expectedBytes, relativePath } = this.options;
    if (expectedBytes !== undefined && this.byteCount !== expectedBytes) {
      callback(new SizeMismatchError(relativePath, expectedBytes, this.byteCount, false));
      return;
    }
    if (!this.offThread) {
      this.result = { bytes: this.byteCount, md5: this.md5Hash.digest('base64'), crc32c: this.crc.toString() };
      callback();
      return;
    }
    this.offThread.digest().then(
      ({ md5, crc32c }) => {
        this.result = { bytes: this.byteCount, md5, crc32c };
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.result) this.offThread?.drop();
    callback(err);
  }

  /** The checksums of everything that passed; only once the stream has ended successfully. */
  get checksums(): Checksums {
    if (!this.result) throw new Error('checksums are available only after the stream has ended');
    return this.result;
  }
}

/** Checksums of a whole buffer (small objects, tests). */
export function checksumsOf(data: Buffer): Checksums {
  const crc = new Crc32c().update(data);
  return { bytes: data.length, md5: createHash('md5').update(data).digest('base64'), crc32c: crc.toString() };
}

/** Compares two checksum sets; returns a description of what differs, or undefined. */
export function describeMismatch(ours: Checksums, theirs: Partial<Checksums>): string | undefined {
  const diffs: string[] = [];
  if (theirs.bytes !== undefined && theirs.bytes !== ours.bytes) diffs.push(`size ${theirs.bytes} != ${ours.bytes}`);
  if (theirs.md5 && theirs.md5 !== ours.md5) diffs.push(`md5 ${theirs.md5} != ${ours.md5}`);
  if (theirs.crc32c && theirs.crc32c !== ours.crc32c) diffs.push(`crc32c ${theirs.crc32c} != ${ours.crc32c}`);
  if (!theirs.md5 && !theirs.crc32c) diffs.push('the destination reported no checksum');
  return diffs.length ? diffs.join(', ') : undefined;
}
