/**
 * s3:// destination. Bytes stream through a ChecksumTransform (MD5 and CRC32C of what is sent). An
 * object that fits in one part goes in one PutObject carrying both checksums for the store to
 * verify (Content-MD5, x-amz-checksum-crc32c) and the precondition (`If-None-Match: *` to create,
 * `If-Match: <etag>` to replace). A larger one is uploaded in parts to a temp key under
 * `<prefix>/.ut-media-tmp/`, then published by a server-side copy that adds the checksums to its
 * metadata and carries the precondition (commit.ts). Nothing is visible under the final name
 * before that last request; a failed write aborts its uploads and removes its temp object.
 */
import { addAbortSignal, PassThrough, pipeline, type Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type PutObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Destination, DestinationSpec, ResumePoint, SmallWriteOptions, StoredObject, WriteOptions } from '../destination';
import { ChecksumTransform, checksumsOf, type Checksums } from '../checksums';
import { ChecksumMismatchError, ObjectAlreadyExistsError, ObjectNotFoundError, StorageRequestError } from '../errors';
import { stringifyMetadata } from '../metadata';
import { checkRelativePath, folderPrefix, joinKey, LOCAL_TEMP_DIR } from '../object-names';
import { destinationUri } from '../parse-destination';
import { copyIntoPlace } from './commit';
import { isS3NotFound, mapS3Error } from './errors';
import { fromS3Metadata, S3_METADATA_BUDGET_BYTES, S3_METADATA_LIMIT_BYTES, s3MetadataBytes, toS3Metadata } from './metadata';
import { sweepAbandonedWrites, tempKeyFor } from './sweep';
import { readHead, uploadToTemp, type Head } from './upload';

type S3Spec = Extract<DestinationSpec, { scheme: 's3' }>;

export interface S3DestinationOptions {
  /**
   * Bytes per multipart part, and the largest object sent in one PutObject. Memory per upload is
   * about this times (`queueSize` + 1). At least 5 MiB (S3's minimum part).
   * @default 5 MiB (S3's smallest part: the least memory; parts grow for objects over 48 GiB)
   */
  partSize?: number;
  /** Parts uploaded side by side per object. @default 2 */
  queueSize?: number;
  /** Objects up to this size are published with one CopyObject, larger ones by a multipart copy. @default 5 GiB */
  singleCopyMaxBytes?: number;
}

const MiB = 1024 * 1024;
export const DEFAULT_PART_SIZE = 5 * MiB;
export const DEFAULT_QUEUE_SIZE = 2;
const MAX_PARTS = 10_000;
const STAT_CONCURRENCY = 8;

/** How a write treats an object already there. */
type Precondition = { kind: 'create' } | { kind: 'replace'; etag: string } | { kind: 'overwrite' };

interface WritePlan {
  relativePath: string;
  contentType: string;
  metadata: Record<string, string>;
  precondition: Precondition;
  /** Aborting before the object is published rejects the write and leaves nothing. */
  signal?: AbortSignal;
}

export class S3Destination implements Destination {
  readonly uri: string;
  readonly metadataBudgetBytes = S3_METADATA_BUDGET_BYTES;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly singleCopyMaxBytes: number | undefined;

  constructor(
    readonly spec: S3Spec,
    private readonly client: S3Client,
    options: S3DestinationOptions = {},
  ) {
    this.uri = destinationUri(spec);
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (this.partSize < 5 * MiB) throw new Error(`partSize must be at least 5 MiB (S3's smallest part), got ${this.partSize}`);
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    this.singleCopyMaxBytes = options.singleCopyMaxBytes;
  }

  objectUri(relativePath: string): string {
    return `s3://${this.spec.bucket}/${this.key(relativePath)}`;
  }

  /** A multipart upload could go on from its parts, but the MD5 of the bytes before cannot: a write after a crash starts at 0. */
  async prepareResume(_relativePath: string, key: string, attempt: number): Promise<ResumePoint> {
    return { key, attempt, bytes: 0 };
  }

  async stat(relativePath: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.spec.bucket, Key: this.key(relativePath) }));
      return this.toStoredObject(relativePath, head);
    } catch (err) {
      if (isS3NotFound(err)) return undefined;
      throw mapS3Error(err, this.context(relativePath, 'stat'));
    }
  }

  async writeObject(relativePath: string, source: NodeJS.ReadableStream | Readable, options: WriteOptions): Promise<StoredObject> {
    checkRelativePath(relativePath);
    const precondition: Precondition = options.replace ? { kind: 'replace', etag: etagOf(options.replace) } : { kind: 'create' };
    const expected = precondition.kind === 'replace' ? precondition.etag : undefined;
    // Fail fast, before streaming GiBs; the store checks again, atomically, when the object is published.
    const current = await this.stat(relativePath);
    if (expected === undefined ? current !== undefined : current?.generation !== expected) {
      throw new ObjectAlreadyExistsError(relativePath, this.objectUri(relativePath), expected);
    }
    const plan: WritePlan = {
      relativePath,
      contentType: options.contentType,
      metadata: stringifyMetadata(options.metadata),
      precondition,
      signal: options.signal,
    };
    this.ensureMetadataFits(plan);
    const hasher = new ChecksumTransform({ relativePath, expectedBytes: options.expectedBytes, onProgress: options.onProgress });
    // Errors of the source, the size check or an abort go back unchanged; the store's are mapped.
    let upstreamError: unknown;
    const noteUpstream = (err: unknown) => (upstreamError ??= err);
    source.on('error', noteUpstream);
    hasher.on('error', noteUpstream);
    pipeline(source as Readable, hasher, () => undefined);
    if (options.signal) addAbortSignal(options.signal, hasher);
    const body = hasher[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    try {
      const head = await readHead(body, this.partSize);
      if (head.ended) return await this.putWhole(plan, Buffer.concat(head.chunks), hasher.checksums);
      return await this.putInParts(plan, head, body, hasher, options.expectedBytes, (err) => err === upstreamError);
    } catch (err) {
      // Stop reading whatever is left of the source.
      if (!hasher.destroyed) hasher.destroy();
      throw err;
    } finally {
      source.off('error', noteUpstream);
    }
  }

  async writeSmallObject(relativePath: string, body: string | Buffer, options: SmallWriteOptions): Promise<StoredObject> {
    checkRelativePath(relativePath);
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const plan: WritePlan = {
      relativePath,
      contentType: options.contentType,
      metadata: stringifyMetadata(options.metadata),
      precondition: { kind: 'overwrite' },
    };
    this.ensureMetadataFits(plan);
    return this.putWhole(plan, data, checksumsOf(data));
  }

  async remove(relativePath: string): Promise<void> {
    checkRelativePath(relativePath);
    try {
      // S3 answers 204 for a key that is not there: removing twice is not an error.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.spec.bucket, Key: this.key(relativePath) }));
    } catch (err) {
      throw mapS3Error(err, this.context(relativePath, 'delete'));
    }
  }

  readObject(relativePath: string): Readable {
    const out = new PassThrough();
    this.client.send(new GetObjectCommand({ Bucket: this.spec.bucket, Key: this.key(relativePath) })).then(
      (res) => pipeline(res.Body as Readable, out, () => undefined),
      (err: unknown) =>
        out.destroy(
          isS3NotFound(err) ? new ObjectNotFoundError(relativePath, this.objectUri(relativePath)) : mapS3Error(err, this.context(relativePath, 'read')),
        ),
    );
    return out;
  }

  async list(relativePrefix: string): Promise<StoredObject[]> {
    const folder = folderPrefix(relativePrefix);
    const base = this.spec.prefix ? `${this.spec.prefix}/` : '';
    const paths: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.spec.bucket, Prefix: base + folder, ContinuationToken: token }))
        .catch((err: unknown) => {
          throw mapS3Error(err, this.context(folder || '.', 'list'));
        });
      for (const { Key } of page.Contents ?? []) {
        const relativePath = Key!.slice(base.length);
        if (isObjectPath(relativePath)) paths.push(relativePath);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // A listing has no metadata: one HEAD per object (an object removed meanwhile is left out).
    const objects = await mapWithLimit(paths, STAT_CONCURRENCY, (p) => this.stat(p));
    return objects
      .filter((o): o is StoredObject => o !== undefined)
      .sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  }

  /** One listing of at most one key under the prefix: the bucket exists and the credentials may list it. */
  async checkAvailable(): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.spec.bucket, Prefix: this.spec.prefix ? `${this.spec.prefix}/` : '', MaxKeys: 1 }));
    } catch (err) {
      throw mapS3Error(err, this.context('.', 'list'));
    }
  }

  /**
   * Aborts multipart uploads and removes temp objects quiet for more than `idleMs` (their writers
   * are dead), only those of `ownerFolder` when given; returns how many.
   */
  async sweepAbandonedWrites(idleMs: number, ownerFolder?: string): Promise<number> {
    try {
      return await sweepAbandonedWrites(this.client, { bucket: this.spec.bucket, prefix: this.spec.prefix, idleMs, ownerFolder });
    } catch (err) {
      throw mapS3Error(err, this.context(LOCAL_TEMP_DIR, 'sweep'));
    }
  }

  private async putWhole(plan: WritePlan, data: Buffer, checksums: Checksums): Promise<StoredObject> {
    const { relativePath, precondition } = plan;
    let put: PutObjectCommandOutput;
    try {
      put = await this.client.send(
        new PutObjectCommand({
          Bucket: this.spec.bucket,
          Key: this.key(relativePath),
          Body: data,
          ContentLength: data.length,
          ContentType: plan.contentType,
          ContentMD5: checksums.md5,
          ChecksumAlgorithm: 'CRC32C',
          ChecksumCRC32C: checksums.crc32c,
          Metadata: toS3Metadata(plan.metadata, checksums),
          ...(precondition.kind === 'create' ? { IfNoneMatch: '*' } : precondition.kind === 'replace' ? { IfMatch: precondition.etag } : {}),
        }),
        { abortSignal: plan.signal },
      );
    } catch (err) {
      if (plan.signal?.aborted) throw plan.signal.reason;
      throw mapS3Error(err, this.context(relativePath, 'upload', precondition.kind === 'replace' ? precondition.etag : undefined));
    }
    // Where the ETag is the MD5 of the bytes (not with SSE-KMS), it is the store's own word on what it got.
    const storedMd5 = put.ServerSideEncryption?.startsWith('aws:kms') ? undefined : md5OfEtag(put.ETag);
    if (storedMd5 !== undefined && storedMd5 !== checksums.md5) {
      await this.removeVersion(relativePath, put.ETag!);
      throw new ChecksumMismatchError(
        `${this.objectUri(relativePath)}: stored object differs from the bytes sent (md5 ${storedMd5} != ${checksums.md5}); it was removed`,
        relativePath,
      );
    }
    return this.written(plan, checksums, put.ETag!);
  }

  private async putInParts(
    plan: WritePlan,
    head: Head,
    body: AsyncIterator<Buffer>,
    hasher: ChecksumTransform,
    expectedBytes: number | undefined,
    isUpstream: (err: unknown) => boolean,
  ): Promise<StoredObject> {
    const { relativePath, precondition } = plan;
    const tempKey = tempKeyFor(this.spec.prefix, relativePath);
    const ifMatch = precondition.kind === 'replace' ? precondition.etag : undefined;
    const upload = {
      bucket: this.spec.bucket,
      key: tempKey,
      contentType: plan.contentType,
      partSize: this.partSizeFor(expectedBytes),
      queueSize: this.queueSize,
      signal: plan.signal,
    };
    let tempEtag: string | undefined;
    try {
      tempEtag = await uploadToTemp(this.client, upload, head, body).catch((err: unknown) => {
        if (plan.signal?.aborted) throw plan.signal.reason;
        throw isUpstream(err) ? err : mapS3Error(err, this.context(relativePath, 'upload'));
      });
      const checksums = hasher.checksums;
      plan.signal?.throwIfAborted();
      const etag = await copyIntoPlace(this.client, {
        bucket: this.spec.bucket,
        sourceKey: tempKey,
        sourceEtag: tempEtag,
        key: this.key(relativePath),
        bytes: checksums.bytes,
        contentType: plan.contentType,
        metadata: toS3Metadata(plan.metadata, checksums),
        ifMatch,
        relativePath,
        objectUri: this.objectUri(relativePath),
        singleCopyMaxBytes: this.singleCopyMaxBytes,
      }).catch((err: unknown) => {
        throw err instanceof ObjectAlreadyExistsError ? err : mapS3Error(err, this.context(relativePath, 'publish', ifMatch));
      });
      await this.ensureSizeMatches(relativePath, etag, checksums);
      return this.written(plan, checksums, etag);
    } finally {
      if (tempEtag !== undefined) await this.client.send(new DeleteObjectCommand({ Bucket: this.spec.bucket, Key: tempKey })).catch(() => undefined);
    }
  }

  /** S3 checks `MpuObjectSize`; an emulator may not, so look once. */
  private async ensureSizeMatches(relativePath: string, etag: string, checksums: Checksums): Promise<void> {
    const stored = await this.stat(relativePath);
    // Replaced since by another writer: not ours to judge.
    if (stored?.generation !== etag || stored.bytes === checksums.bytes) return;
    await this.removeVersion(relativePath, etag);
    throw new ChecksumMismatchError(
      `${this.objectUri(relativePath)}: stored object has ${stored.bytes} bytes, ${checksums.bytes} were sent; it was removed`,
      relativePath,
    );
  }

  /** Removes exactly that version, if the store supports conditional deletes; best effort either way. */
  private async removeVersion(relativePath: string, etag: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.spec.bucket, Key: this.key(relativePath), IfMatch: etag })).catch(() => undefined);
  }

  private ensureMetadataFits(plan: WritePlan): void {
    const bytes = s3MetadataBytes(toS3Metadata(plan.metadata, { md5: 'x'.repeat(24), crc32c: 'x'.repeat(8) }));
    if (bytes <= S3_METADATA_LIMIT_BYTES) return;
    const uri = this.objectUri(plan.relativePath);
    throw new StorageRequestError(
      `metadata of ${uri} takes ${bytes} bytes as S3 stores it, over its limit of ${S3_METADATA_LIMIT_BYTES}`,
      uri,
      undefined,
      'MetadataTooLarge',
      false,
    );
  }

  /** Parts big enough that the object fits in S3's 10,000. */
  private partSizeFor(expectedBytes: number | undefined): number {
    if (expectedBytes === undefined || expectedBytes <= this.partSize * MAX_PARTS) return this.partSize;
    return Math.ceil(expectedBytes / MAX_PARTS / MiB) * MiB;
  }

  private written(plan: WritePlan, checksums: Checksums, etag: string): StoredObject {
    const { bytes, md5, crc32c } = checksums;
    return {
      uri: this.objectUri(plan.relativePath),
      relativePath: plan.relativePath,
      bytes,
      md5,
      crc32c,
      generation: etag,
      metadata: { ...plan.metadata },
      metadataComplete: true,
    };
  }

  private toStoredObject(relativePath: string, head: HeadObjectCommandOutput): StoredObject {
    const { metadata, checksums } = fromS3Metadata(head.Metadata);
    return {
      uri: this.objectUri(relativePath),
      relativePath,
      bytes: Number(head.ContentLength ?? 0),
      md5: checksums?.md5 ?? '',
      crc32c: checksums?.crc32c ?? '',
      generation: head.ETag,
      metadata,
      // Written by another tool (no checksums of ours): fetched again, like a local file without its sidecar.
      metadataComplete: checksums !== undefined,
    };
  }

  private key(relativePath: string): string {
    return joinKey(this.spec.prefix, checkRelativePath(relativePath));
  }

  private context(relativePath: string, operation: string, expectedGeneration?: string) {
    return {
      bucket: this.spec.bucket,
      relativePath,
      objectUri: `s3://${this.spec.bucket}/${joinKey(this.spec.prefix, relativePath)}`,
      operation,
      expectedGeneration,
    };
  }
}

function etagOf(replace: StoredObject): string {
  if (!replace.generation) throw new Error(`replace of ${replace.uri} needs the ETag that stat reported`);
  return replace.generation;
}

/** The base64 MD5 an ETag stands for, when it is a plain MD5 (a multipart ETag has a `-N`). */
function md5OfEtag(etag: string | undefined): string | undefined {
  const hex = /^"?([0-9a-f]{32})"?$/i.exec(etag ?? '')?.[1];
  return hex ? Buffer.from(hex, 'hex').toString('base64') : undefined;
}

/** Paths a listing may report as objects: not folder markers, the temp folder or keys no writer of ours makes. */
function isObjectPath(relativePath: string): boolean {
  if (relativePath.endsWith('/') || relativePath.startsWith(`${LOCAL_TEMP_DIR}/`)) return false;
  try {
    checkRelativePath(relativePath);
    return true;
  } catch {
    return false;
  }
}

async function mapWithLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
