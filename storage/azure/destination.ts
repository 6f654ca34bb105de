/**
 * az:// destination (Azure Blob Storage, block blobs). Bytes stream through a ChecksumTransform
 * into staged blocks (each with its Content-MD5, checked by the service); the object becomes
 * visible only when the block list is committed, with its metadata, content type and whole-object
 * MD5, guarded by `If-None-Match: *` (create) or `If-Match: <etag>` (replace). A body that fits in
 * one block goes in one Put Blob instead, just as atomic. Staged blocks never committed (a failed
 * or crashed writer) stay invisible and are discarded by Azure after 7 days: there is nothing to abort.
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { BlobServiceClient, BlockBlobClient, BlockBlobUploadOptions, ContainerClient } from '@azure/storage-blob';
import type { Destination, DestinationSpec, ResumePoint, SmallWriteOptions, StoredObject, WriteOptions } from '../destination';
import { ChecksumTransform, checksumsOf, type Checksums } from '../checksums';
import { ObjectAlreadyExistsError, ObjectNotFoundError, StorageRequestError } from '../errors';
import { DEFAULT_STALL_TIMEOUT_MS, StallWatchdog } from '../stall-watchdog';
import { BlockStager } from './block-stager';
import { azureErrorCodeOf, azureStatusOf, mapAzureError } from './errors';
import { AZURE_METADATA_BUDGET_BYTES, decodeMetadata, encodeMetadata } from './metadata';
import { stringifyMetadata } from '../metadata';
import { checkRelativePath, folderPrefix, joinKey } from '../object-names';
import { azureObjectUri, destinationUri } from '../parse-destination';
import { pipeSourceInto } from '../source-pipeline';

type AzureSpec = Extract<DestinationSpec, { scheme: 'az' }>;

export interface AzureDestinationOptions {
  /**
   * Bytes per staged block; bounds memory to about (blocksInFlight + 1) x blockSize per write.
   * @default 8 MiB
   */
  blockSize?: number;
  /** Blocks being staged at once. @default 2 */
  blocksInFlight?: number;
  /**
   * A write that moves no byte for this long (a request the service never answers) is given up
   * with a retryable StorageRequestError instead of hanging until the activity's timeout.
   * @default 120000
   */
  stallTimeoutMs?: number;
}

export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;

/** Put Blob takes a transactional Content-MD5 on the wire; the SDK passes it but its type omits it. */
type UploadOptions = BlockBlobUploadOptions & { transactionalContentMD5?: Uint8Array };

interface Properties {
  contentLength?: number;
  contentMD5?: Uint8Array;
  etag?: string;
  metadata?: Record<string, string>;
}

export class AzureDestination implements Destination {
  readonly uri: string;
  readonly metadataBudgetBytes = AZURE_METADATA_BUDGET_BYTES;
  private readonly container: ContainerClient;
  private readonly containerUri: string;
  private readonly blockSize: number;
  private readonly blocksInFlight: number;
  private readonly stallTimeoutMs: number;

  constructor(
    readonly spec: AzureSpec,
    service: BlobServiceClient,
    options: AzureDestinationOptions = {},
  ) {
    this.uri = destinationUri(spec);
    this.containerUri = azureObjectUri(spec, '');
    this.container = service.getContainerClient(spec.container);
    this.blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    this.blocksInFlight = options.blocksInFlight ?? 2;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    if (!(this.blockSize > 0 && this.blocksInFlight > 0)) throw new Error('blockSize and blocksInFlight must be positive');
  }

  objectUri(relativePath: string): string {
    return azureObjectUri(this.spec, this.key(relativePath));
  }

  /**
   * A dead writer's staged blocks are still there, but they cannot be read back to hash them, and
   * committing them unchecked would defeat the checksums: a write after a crash starts at byte 0.
   */
  async prepareResume(_relativePath: string, key: string, attempt: number): Promise<ResumePoint> {
    return { key, attempt, bytes: 0 };
  }

  async stat(relativePath: string): Promise<StoredObject | undefined> {
    try {
      return this.toStoredObject(relativePath, await this.blob(relativePath).getProperties());
    } catch (err) {
      if (azureStatusOf(err) === 404 && azureErrorCodeOf(err) !== 'ContainerNotFound') return undefined;
      throw mapAzureError(err, this.context(relativePath, 'stat'));
    }
  }

  async writeObject(relativePath: string, source: NodeJS.ReadableStream | Readable, options: WriteOptions): Promise<StoredObject> {
    checkRelativePath(relativePath);
    const expectedEtag = options.replace ? etagOf(options.replace) : undefined;
    const metadata = stringifyMetadata(options.metadata);
    // Too much metadata fails here, before any byte moves.
    encodeMetadata(this.objectUri(relativePath), metadata);
    // Fail fast, before streaming GiBs, when the precondition already fails; the commit enforces it again, atomically.
    const current = await this.stat(relativePath);
    if (expectedEtag === undefined ? current !== undefined : current?.generation !== expectedEtag) {
      throw new ObjectAlreadyExistsError(relativePath, this.objectUri(relativePath), expectedEtag);
    }
    return this.upload(relativePath, source, { ...options, metadata, expectedEtag });
  }

  async writeSmallObject(relativePath: string, body: string | Buffer, options: SmallWriteOptions): Promise<StoredObject> {
    checkRelativePath(relativePath);
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const sums = checksumsOf(data);
    const metadata = stringifyMetadata(options.metadata);
    const ctx = this.context(relativePath, 'upload');
    try {
      // No precondition: it overwrites whatever is there, in one request.
      const response = await this.blob(relativePath).upload(data, data.length, this.putOptions(ctx.objectUri, options.contentType, metadata, sums, undefined));
      return this.written(relativePath, sums, metadata, response.etag);
    } catch (err) {
      throw mapAzureError(err, ctx);
    }
  }

  async remove(relativePath: string): Promise<void> {
    checkRelativePath(relativePath);
    try {
      await this.blob(relativePath).deleteIfExists({ deleteSnapshots: 'include' });
    } catch (err) {
      throw mapAzureError(err, this.context(relativePath, 'delete'));
    }
  }

  readObject(relativePath: string): Readable {
    const out = new PassThrough();
    const abort = new AbortController();
    out.once('close', () => abort.abort());
    this.blob(relativePath)
      .download(0, undefined, { abortSignal: abort.signal })
      .then((response) => {
        const body = response.readableStreamBody;
        if (!body) throw new Error('the download has no body');
        body.once('error', (err) => out.destroy(mapAzureError(err, this.context(relativePath, 'download'))));
        body.pipe(out);
      })
      .catch((err: unknown) =>
        out.destroy(
          azureErrorCodeOf(err) === 'BlobNotFound'
            ? new ObjectNotFoundError(relativePath, this.objectUri(relativePath))
            : mapAzureError(err, this.context(relativePath, 'download')),
        ),
      );
    return out;
  }

  async list(relativePrefix: string): Promise<StoredObject[]> {
    const folder = folderPrefix(relativePrefix);
    const base = this.spec.prefix ? `${this.spec.prefix}/` : '';
    const found: StoredObject[] = [];
    try {
      for await (const item of this.container.listBlobsFlat({ prefix: base + folder, includeMetadata: true })) {
        if (item.name.endsWith('/')) continue;
        found.push(this.toStoredObject(item.name.slice(base.length), { ...item.properties, metadata: item.metadata }));
      }
    } catch (err) {
      throw mapAzureError(err, this.context(folder || '.', 'list'));
    }
    return found.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  }

  async checkAvailable(): Promise<void> {
    try {
      await this.container
        .listBlobsFlat({ prefix: this.spec.prefix ? `${this.spec.prefix}/` : '' })
        .byPage({ maxPageSize: 1 })
        .next();
    } catch (err) {
      throw mapAzureError(err, this.context('.', 'list'));
    }
  }

  private async upload(
    relativePath: string,
    source: NodeJS.ReadableStream | Readable,
    plan: WriteOptions & { metadata: Record<string, string>; expectedEtag?: string },
  ): Promise<StoredObject> {
    const blob = this.blob(relativePath);
    const ctx = this.context(relativePath, 'upload', plan.expectedEtag);
    const abort = new AbortController();
    const onCallerAbort = () => abort.abort();
    plan.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const stalled = new StorageRequestError(
      `upload of ${ctx.objectUri} moved no byte for ${this.stallTimeoutMs} ms (the service did not answer)`,
      ctx.objectUri,
      undefined,
      'ETIMEDOUT',
      true,
    );
    let stalledOut = false;
    const watchdog = new StallWatchdog(this.stallTimeoutMs, () => {
      stalledOut = true;
      abort.abort();
      stager.destroy(stalled);
    });
    const hasher = new ChecksumTransform({
      relativePath,
      expectedBytes: plan.expectedBytes,
      onProgress: (bytes) => {
        watchdog.touch();
        plan.onProgress?.(bytes);
      },
    });
    const stager = new BlockStager(blob, {
      objectUri: ctx.objectUri,
      blockSize: this.blockSize,
      maxInFlight: this.blocksInFlight,
      signal: abort.signal,
      onProgress: watchdog.touch,
    });
    // Errors of the source, the size check or an abort go back unchanged; the service's are mapped.
    let failedFirst: 'upstream' | 'service' | undefined;
    const upstreamFailed = () => (failedFirst ??= 'upstream');
    source.on('error', upstreamFailed);
    hasher.on('error', upstreamFailed);
    stager.on('error', () => (failedFirst ??= 'service'));
    try {
      await pipeSourceInto(source, hasher, stager as Writable, plan.signal);
      watchdog.touch();
      const conditions = plan.expectedEtag ? { ifMatch: plan.expectedEtag } : { ifNoneMatch: '*' };
      let etag: string | undefined;
      failedFirst = 'service';
      if (stager.singleBody) {
        const put = this.putOptions(ctx.objectUri, plan.contentType, plan.metadata, hasher.checksums, conditions);
        etag = (await blob.upload(stager.singleBody, stager.singleBody.length, { ...put, abortSignal: abort.signal })).etag;
      } else {
        const { md5, crc32c } = hasher.checksums;
        const response = await blob.commitBlockList(stager.blockIds, {
          metadata: encodeMetadata(ctx.objectUri, plan.metadata, { md5, crc32c }),
          blobHTTPHeaders: { blobContentType: plan.contentType, blobContentMD5: Buffer.from(md5, 'base64') },
          conditions,
          abortSignal: abort.signal,
        });
        etag = response.etag;
      }
      return this.written(relativePath, hasher.checksums, plan.metadata, etag);
    } catch (err) {
      abort.abort();
      if (stalledOut) throw stalled;
      if (plan.signal?.aborted || failedFirst !== 'service') throw err;
      throw mapAzureError(err, ctx);
    } finally {
      watchdog.stop();
      source.off('error', upstreamFailed);
      plan.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** One Put Blob: the whole body's MD5 is checked on arrival (Content-MD5) and kept as the blob's. */
  private putOptions(
    objectUri: string,
    contentType: string,
    metadata: Record<string, string>,
    { md5, crc32c }: Checksums,
    conditions: UploadOptions['conditions'],
  ): UploadOptions {
    const md5Bytes = Buffer.from(md5, 'base64');
    return {
      metadata: encodeMetadata(objectUri, metadata, { md5, crc32c }),
      blobHTTPHeaders: { blobContentType: contentType, blobContentMD5: md5Bytes },
      transactionalContentMD5: md5Bytes,
      ...(conditions ? { conditions } : {}),
    };
  }

  /** The object just committed, from what we sent: the service checked every block's MD5. */
  private written(relativePath: string, { bytes, md5, crc32c }: Checksums, metadata: Record<string, string>, etag: string | undefined): StoredObject {
    return { uri: this.objectUri(relativePath), relativePath, bytes, md5, crc32c, generation: normaliseEtag(etag), metadata, metadataComplete: true };
  }

  private toStoredObject(relativePath: string, p: Properties): StoredObject {
    const { metadata, md5, crc32c } = decodeMetadata(p.metadata);
    return {
      uri: this.objectUri(relativePath),
      relativePath,
      bytes: p.contentLength ?? 0,
      md5: p.contentMD5 ? Buffer.from(p.contentMD5).toString('base64') : (md5 ?? ''),
      crc32c: crc32c ?? '',
      generation: normaliseEtag(p.etag),
      metadata,
      metadataComplete: true,
    };
  }

  private key(relativePath: string): string {
    return joinKey(this.spec.prefix, checkRelativePath(relativePath));
  }

  private blob(relativePath: string): BlockBlobClient {
    return this.container.getBlockBlobClient(this.key(relativePath));
  }

  private context(relativePath: string, operation: string, expectedGeneration?: string) {
    return {
      container: this.containerUri,
      relativePath,
      objectUri: azureObjectUri(this.spec, joinKey(this.spec.prefix, relativePath)),
      operation,
      expectedGeneration,
    };
  }
}

/** ETags come quoted from a blob's headers and bare from a listing; If-Match wants them quoted. */
function normaliseEtag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

function etagOf(replace: StoredObject): string {
  if (!replace.generation) throw new Error(`replace of ${replace.uri} needs the ETag that stat reported`);
  return replace.generation;
}
