/**
 * gs:// destination. Bytes stream through a ChecksumTransform into a resumable upload (memory
 * bounded by `chunkSize`); the object becomes visible only when the upload finalizes, guarded by
 * `ifGenerationMatch` (0 = must not exist, or the generation being replaced). After the upload,
 * the md5/crc32c/size GCS reports must equal what we computed, else the object is removed.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { Bucket, File, FileMetadata, Storage } from '@google-cloud/storage';
import type { Destination, DestinationSpec, ResumePoint, SmallWriteOptions, StoredObject, WriteOptions } from '../destination';
import { ChecksumTransform, describeMismatch, type Checksums } from '../checksums';
import { ChecksumMismatchError, ObjectAlreadyExistsError, ObjectNotFoundError, StorageRequestError } from '../errors';
import { DEFAULT_STALL_TIMEOUT_MS, StallWatchdog } from '../stall-watchdog';
import { httpStatusOf, mapGcsError } from './errors';
import { DEFAULT_METADATA_BUDGET_BYTES, setEntry, stringifyMetadata } from '../metadata';
import { checkRelativePath, folderPrefix, joinKey } from '../object-names';
import { destinationUri } from '../parse-destination';
import { pipeSourceInto } from '../source-pipeline';

type GcsSpec = Extract<DestinationSpec, { scheme: 'gs' }>;

export interface GcsDestinationOptions {
  /**
   * Bytes buffered per resumable-upload request; bounds memory per upload. A multiple of 256 KiB.
   * @default 8 MiB
   */
  chunkSize?: number;
  /**
   * Objects whose `expectedBytes` is at most this go in one simple (multipart) request instead of
   * a resumable session: one request instead of two, just as atomic.
   * @default chunkSize
   */
  simpleUploadMaxBytes?: number;
  /**
   * An upload that moves no byte for this long (a request the service never answers) is given up
   * with a retryable StorageRequestError instead of hanging until the activity's timeout.
   * @default 120000
   */
  stallTimeoutMs?: number;
}

const KIB_256 = 256 * 1024;
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;

interface UploadPlan {
  relativePath: string;
  resumable: boolean;
  /** 0: must not exist; a generation: replace exactly it; undefined: overwrite unconditionally. */
  ifGenerationMatch?: number | string;
  contentType: string;
  metadata: Record<string, string>;
  hasher: ChecksumTransform;
  signal?: AbortSignal;
  /** The size being sent, when known. */
  expectedBytes?: number;
}

export class GcsDestination implements Destination {
  readonly uri: string;
  readonly metadataBudgetBytes = DEFAULT_METADATA_BUDGET_BYTES;
  private readonly bucket: Bucket;
  private readonly chunkSize: number;
  private readonly simpleUploadMaxBytes: number;
  private readonly stallTimeoutMs: number;

  constructor(
    readonly spec: GcsSpec,
    storage: Storage,
    options: GcsDestinationOptions = {},
  ) {
    this.uri = destinationUri(spec);
    this.bucket = storage.bucket(spec.bucket);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (this.chunkSize <= 0 || this.chunkSize % KIB_256 !== 0) throw new Error(`chunkSize must be a positive multiple of 256 KiB, got ${this.chunkSize}`);
    this.simpleUploadMaxBytes = options.simpleUploadMaxBytes ?? this.chunkSize;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  }

  objectUri(relativePath: string): string {
    return `gs://${this.spec.bucket}/${this.key(relativePath)}`;
  }

  /**
   * A resumable upload could continue from its session URI and persisted offset, but that URI is a
   * bearer credential for the upload: it must not go into heartbeats or history, and a crashed
   * process takes it along. So a gs:// write after a crash starts again at byte 0.
   */
  async prepareResume(_relativePath: string, key: string, attempt: number): Promise<ResumePoint> {
    return { key, attempt, bytes: 0 };
  }

  async stat(relativePath: string): Promise<StoredObject | undefined> {
    const file = this.file(relativePath);
    try {
      const [metadata] = await file.getMetadata();
      return this.toStoredObject(relativePath, metadata);
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw mapGcsError(err, this.context(relativePath, 'stat'));
    }
  }

  async writeObject(relativePath: string, source: NodeJS.ReadableStream | Readable, options: WriteOptions): Promise<StoredObject> {
    checkRelativePath(relativePath);
    const expectedGeneration = options.replace ? generationOf(options.replace) : undefined;
    // Fail fast, before streaming GiBs, when the precondition already fails. GCS enforces
    // ifGenerationMatch again, atomically, at finalization (the emulator does not for resumable
    // uploads, where this check is all there is: see the integration tests).
    const current = await this.stat(relativePath);
    if (expectedGeneration === undefined ? current !== undefined : current?.generation !== expectedGeneration) {
      throw new ObjectAlreadyExistsError(relativePath, this.objectUri(relativePath), expectedGeneration);
    }
    const hasher = new ChecksumTransform({
      relativePath,
      expectedBytes: options.expectedBytes,
      onProgress: (bytes) => {
        hasher.emit('moved');
        options.onProgress?.(bytes);
      },
    });
    const small = options.expectedBytes !== undefined && options.expectedBytes <= this.simpleUploadMaxBytes;
    return this.upload(source, {
      relativePath,
      resumable: !small,
      ifGenerationMatch: expectedGeneration ?? 0,
      contentType: options.contentType,
      metadata: stringifyMetadata(options.metadata),
      hasher,
      signal: options.signal,
      expectedBytes: options.expectedBytes,
    });
  }

  async writeSmallObject(relativePath: string, body: string | Buffer, options: SmallWriteOptions): Promise<StoredObject> {
    checkRelativePath(relativePath);
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return this.upload(Readable.from([data]), {
      relativePath,
      resumable: false,
      contentType: options.contentType,
      metadata: stringifyMetadata(options.metadata),
      hasher: new ChecksumTransform({ relativePath, expectedBytes: data.length }),
    });
  }

  async remove(relativePath: string): Promise<void> {
    checkRelativePath(relativePath);
    try {
      await this.file(relativePath).delete({ ignoreNotFound: true });
    } catch (err) {
      throw mapGcsError(err, this.context(relativePath, 'delete'));
    }
  }

  readObject(relativePath: string): Readable {
    const out = new PassThrough();
    const body = this.file(relativePath).createReadStream();
    // The manifest beside it was read from the same bucket: a 404 here is the object's, not the bucket's.
    body.once('error', (err) =>
      out.destroy(
        httpStatusOf(err) === 404 ? new ObjectNotFoundError(relativePath, this.objectUri(relativePath)) : mapGcsError(err, this.context(relativePath, 'read')),
      ),
    );
    body.pipe(out);
    out.once('close', () => body.destroy());
    return out;
  }

  async list(relativePrefix: string): Promise<StoredObject[]> {
    const folder = folderPrefix(relativePrefix);
    const base = this.spec.prefix ? `${this.spec.prefix}/` : '';
    try {
      const [files] = await this.bucket.getFiles({ prefix: base + folder, autoPaginate: true });
      return files
        .filter((f) => !f.name.endsWith('/'))
        .map((f) => this.toStoredObject(f.name.slice(base.length), f.metadata))
        .sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
    } catch (err) {
      throw mapGcsError(err, this.context(folder || '.', 'list'));
    }
  }

  async checkAvailable(): Promise<void> {
    try {
      await this.bucket.getFiles({ prefix: this.spec.prefix ? `${this.spec.prefix}/` : '', maxResults: 1, autoPaginate: false });
    } catch (err) {
      throw mapGcsError(err, this.context('.', 'list'));
    }
  }

  private async upload(source: NodeJS.ReadableStream | Readable, plan: UploadPlan): Promise<StoredObject> {
    const { relativePath, hasher } = plan;
    const file = this.file(relativePath);
    const ctx = this.context(relativePath, 'upload', plan.ifGenerationMatch ? String(plan.ifGenerationMatch) : undefined);
    const upload = file.createWriteStream({
      resumable: plan.resumable,
      validation: 'crc32c',
      ...(plan.resumable ? { chunkSize: this.chunkSize } : {}),
      ...(plan.ifGenerationMatch !== undefined ? { preconditionOpts: { ifGenerationMatch: plan.ifGenerationMatch } } : {}),
      metadata: { contentType: plan.contentType, metadata: plan.metadata },
    });
    // Errors of the source, the size check or an abort go back unchanged; the client's are mapped.
    // The first stream to fail is the culprit: pipeline then destroys the others with its error.
    let failedFirst: 'upstream' | 'upload' | undefined;
    const upstreamFailed = () => (failedFirst ??= 'upstream');
    source.on('error', upstreamFailed);
    hasher.on('error', upstreamFailed);
    upload.on('error', () => (failedFirst ??= 'upload'));
    const stalled = new StorageRequestError(
      `upload of ${ctx.objectUri} moved no byte for ${this.stallTimeoutMs} ms (the service did not answer)`,
      ctx.objectUri,
      undefined,
      'ETIMEDOUT',
      true,
    );
    const watchdog = new StallWatchdog(this.stallTimeoutMs, () => upload.destroy(stalled));
    hasher.on('moved', watchdog.touch);
    upload.on('progress', watchdog.touch);
    let sessionStarted = false;
    upload.on('uri', () => (sessionStarted = true));
    try {
      await pipeSourceInto(source, hasher, upload as Writable, plan.signal);
    } catch (err) {
      // Destroying the upload before it finalized abandons the session: nothing becomes visible.
      if (!upload.destroyed) upload.destroy();
      if (sessionStarted && httpStatusOf(err) !== 412) await this.removeDebrisOfFailedUpload(file, plan.ifGenerationMatch, plan.expectedBytes);
      if (err === stalled) throw stalled;
      if (plan.signal?.aborted || failedFirst !== 'upload') throw err;
      throw mapGcsError(err, { ...ctx, uploadSessionStarted: sessionStarted });
    } finally {
      watchdog.stop();
      source.off('error', upstreamFailed);
    }
    let reported: FileMetadata = file.metadata;
    if (!reported?.generation) {
      [reported] = await file.getMetadata().catch((err: unknown) => {
        throw mapGcsError(err, { ...ctx, operation: 'stat' });
      });
    }
    await this.ensureChecksumsMatch(file, relativePath, hasher.checksums, reported);
    if (reported.contentType !== plan.contentType) reported = await this.restoreContentType(file, reported, plan.contentType, ctx.objectUri);
    return this.toStoredObject(relativePath, reported);
  }

  /**
   * A failed resumable upload must leave nothing of its own: a store may finalize a session on a
   * status query with what it holds (fake-gcs-server does). An object that appeared since we started
   * is ours to remove only if it is short of the size we were sending: another writer of the same
   * asset (a live earlier attempt, an overlapping run) publishes it whole, and a 412 (someone else
   * got there first) never removes anything.
   */
  private async removeDebrisOfFailedUpload(file: File, startedFrom: number | string | undefined, expectedBytes: number | undefined): Promise<void> {
    if (startedFrom === undefined || expectedBytes === undefined) return;
    const [metadata] = await file.getMetadata().catch(() => [undefined]);
    if (!metadata?.generation || String(metadata.generation) === String(startedFrom)) return;
    if (Number(metadata.size) >= expectedBytes) return;
    await file.delete({ ifGenerationMatch: metadata.generation }).catch(() => undefined);
  }

  private async ensureChecksumsMatch(file: File, relativePath: string, ours: Checksums, reported: FileMetadata): Promise<void> {
    const mismatch = describeMismatch(ours, { bytes: Number(reported.size), md5: reported.md5Hash, crc32c: reported.crc32c });
    if (!mismatch) return;
    // Remove exactly the version we wrote; if that fails the error still says what happened.
    await file.delete({ ifGenerationMatch: reported.generation }).catch(() => undefined);
    throw new ChecksumMismatchError(`${this.objectUri(relativePath)}: stored object differs from the bytes sent (${mismatch}); it was removed`, relativePath);
  }

  /**
   * fake-gcs-server drops the content type of resumable uploads (it reports
   * application/octet-stream); real GCS keeps it and this is never reached there.
   */
  private async restoreContentType(file: File, reported: FileMetadata, contentType: string, objectUri: string): Promise<FileMetadata> {
    try {
      const [patched] = await file.setMetadata({ contentType }, { ifGenerationMatch: reported.generation, ifMetagenerationMatch: reported.metageneration });
      return patched;
    } catch (err) {
      throw mapGcsError(err, { bucket: this.spec.bucket, relativePath: file.name, objectUri, operation: 'metadata update' });
    }
  }

  private toStoredObject(relativePath: string, m: FileMetadata): StoredObject {
    const custom: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.metadata ?? {})) if (v !== null && v !== undefined) setEntry(custom, k, String(v));
    return {
      uri: this.objectUri(relativePath),
      relativePath,
      bytes: Number(m.size ?? 0),
      md5: m.md5Hash ?? '',
      crc32c: m.crc32c ?? '',
      generation: m.generation !== undefined ? String(m.generation) : undefined,
      metadata: custom,
      metadataComplete: true,
    };
  }

  private key(relativePath: string): string {
    return joinKey(this.spec.prefix, checkRelativePath(relativePath));
  }

  private file(relativePath: string): File {
    return this.bucket.file(this.key(relativePath));
  }

  private context(relativePath: string, operation: string, expectedGeneration?: string) {
    return {
      bucket: this.spec.bucket,
      relativePath,
      objectUri: `gs://${this.spec.bucket}/${joinKey(this.spec.prefix, relativePath)}`,
      operation,
      expectedGeneration,
    };
  }
}

function generationOf(replace: StoredObject): string {
  if (!replace.generation) throw new Error(`replace of ${replace.uri} needs the generation that stat reported`);
  return replace.generation;
}
