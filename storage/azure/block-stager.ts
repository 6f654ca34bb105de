/**
 * The sink of an az:// write: cuts the stream into blocks of `blockSize` and stages each (Put Block)
 * with its Content-MD5 (computed off the main thread), at most `maxInFlight` at a time, so memory stays at about
 * (maxInFlight + 1) x blockSize whatever the object's size. Staged blocks are invisible until the
 * destination commits the list. A body that ends within its first block is not staged at all: it is
 * kept (`singleBody`) for one Put Blob.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { BlockBlobClient } from '@azure/storage-blob';
import { StorageRequestError } from '../errors';
import { md5OfBlock } from '../block-md5-thread';

/** Azure commits at most this many blocks into one blob (50,000 x 8 MiB = 390 GiB). */
export const MAX_BLOCKS = 50_000;

export interface BlockStagerOptions {
  /** For messages. */
  objectUri: string;
  blockSize: number;
  maxInFlight: number;
  /** Cancels the requests in flight. */
  signal: AbortSignal;
  /** Called whenever bytes of a block reach the service, and when a block is staged. */
  onProgress?: () => void;
}

export class BlockStager extends Writable {
  /** Ids of the staged blocks, in order: the list to commit. */
  readonly blockIds: string[] = [];
  /** Set at the end when the whole body fit in the first block and nothing was staged. */
  singleBody: Buffer | undefined;
  /** Block ids of one write share a random tag: writers racing on one name never stage over each other's blocks. */
  private readonly tag = randomBytes(12).toString('hex');
  private block: Buffer | undefined;
  private filled = 0;
  /** Buffers of staged blocks, reused: a fresh 8 MiB buffer per block would pile up as garbage. */
  private readonly spare: Buffer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;

  constructor(
    private readonly blob: BlockBlobClient,
    private readonly options: BlockStagerOptions,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const last = this.block?.subarray(0, this.filled);
    this.block = undefined;
    const finish = async () => {
      if (this.blockIds.length === 0) {
        this.singleBody = last ?? Buffer.alloc(0);
        return;
      }
      if (last && last.length > 0) await this.stage(last);
      await Promise.all(this.inFlight);
      if (this.failure) throw this.failure;
    };
    finish().then(() => callback(), callback);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.block = undefined;
    this.spare.length = 0;
    callback(err);
  }

  private async take(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      this.block ??= this.spare.pop() ?? Buffer.allocUnsafe(this.options.blockSize);
      const copied = chunk.copy(this.block, this.filled, offset);
      offset += copied;
      this.filled += copied;
      if (this.filled === this.options.blockSize) {
        const full = this.block;
        this.block = undefined;
        this.filled = 0;
        await this.stage(full);
      }
    }
  }

  /** Starts staging `data` once a slot is free; a failed block fails the stream. */
  private async stage(data: Buffer): Promise<void> {
    while (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    if (this.blockIds.length >= MAX_BLOCKS) {
      const message = `${this.options.objectUri} needs more than Azure's ${MAX_BLOCKS} blocks of ${this.options.blockSize} bytes`;
      throw new StorageRequestError(message, this.options.objectUri, undefined, 'BlockCountExceedsLimit', false);
    }
    const id = Buffer.from(`${this.tag}${String(this.blockIds.length).padStart(8, '0')}`).toString('base64');
    this.blockIds.push(id);
    const request = md5OfBlock(data)
      .then((md5) =>
        this.blob.stageBlock(id, data, data.length, {
          transactionalContentMD5: md5,
          abortSignal: this.options.signal,
          onProgress: this.options.onProgress,
        }),
      )
      .then(() => this.options.onProgress?.());
    const tracked: Promise<void> = request.then(
      () => {
        this.inFlight.delete(tracked);
        if (data.length === this.options.blockSize) this.spare.push(data);
      },
      (err: unknown) => {
        this.inFlight.delete(tracked);
        this.failure ??= err instanceof Error ? err : new Error(String(err));
        this.destroy(this.failure);
      },
    );
    this.inFlight.add(tracked);
  }
}
