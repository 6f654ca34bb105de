/** The types every destination shares: where objects go, what a stored object is, how to write one. */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Storage } from '@google-cloud/storage';
import type { BlobServiceClient } from '@azure/storage-blob';

/** A bucket and a folder in it. */
export interface BucketLocation {
  bucket: string;
  /** '' or 'a/b': no leading or trailing slash, no empty, '.' or '..' segment. */
  prefix: string;
}

/** A parsed `--dest`: a bucket and prefix on GCS or S3, a container and prefix on Azure Blob, or an absolute local folder. */
export type DestinationSpec =
  | ({ scheme: 'gs' } & BucketLocation)
  | ({ scheme: 's3' } & BucketLocation)
  | {
      scheme: 'az';
      /** From the https://<account>.blob.core.windows.net form; else the environment's account. */
      account?: string;
      container: string;
      /** As for gs. */
      prefix: string;
    }
  | {
      scheme: 'file';
      /** Absolute, normalised, without a trailing slash (except '/'). */
      root: string;
    };

/** What `openDestination` may be given instead of building it from the environment. */
export interface StorageDeps {
  /** GCS client. @default createGcsClient(process.env) */
  storage?: Storage;
  /** Azure Blob client. @default createAzureClient(spec.account) */
  blobService?: BlobServiceClient;
  /** S3 client. @default createS3Client(process.env) */
  s3?: S3Client;
}

/** One stored object as the destination reports it. */
export interface StoredObject {
  /** Full URI of the object: gs://bucket/prefix/rel, s3://bucket/prefix/rel, az://container/prefix/rel (or its https:// form) or file:///abs/rel. */
  uri: string;
  /** Path under the destination root, '/'-separated. */
  relativePath: string;
  bytes: number;
  /** Base64 MD5, as GCS reports it ('' when unknown: local object without a valid sidecar). */
  md5: string;
  /** Base64 of the big-endian CRC32C, as GCS reports it ('' when unknown). */
  crc32c: string;
  /** GCS generation; S3 and Azure: the ETag; local: a token that changes whenever the file is replaced. */
  generation?: string;
  /** The custom metadata written with the object. */
  metadata: Record<string, string>;
  /** Local: the sidecar is present and agrees with the file. S3: our checksums are in its metadata. GCS, Azure: always true. */
  metadataComplete: boolean;
}

/** Metadata values as callers have them; stored stringified, null and undefined dropped. */
export type MetadataInput = Record<string, string | number | boolean | null | undefined>;

export interface WriteOptions {
  contentType: string;
  metadata: MetadataInput;
  /**
   * undefined: the object must not exist yet (else ObjectAlreadyExistsError).
   * A StoredObject (from `stat`): replace exactly that version (else ObjectAlreadyExistsError).
   */
  replace?: StoredObject;
  /** When known: a source that ends early or delivers more fails the write with SizeMismatchError. */
  expectedBytes?: number;
  /** Called with the running byte count as bytes pass through; the caller throttles. */
  onProgress?: (bytesWritten: number) => void;
  /** Aborting rejects the write and leaves nothing visible. */
  signal?: AbortSignal;
  /**
   * Continue the partial upload `prepareResume` found: `source` then carries the bytes from
   * `point.bytes` on (0: the whole object, into the same resumable temp file).
   */
  resume?: ResumePoint;
}

/**
 * Where a write of one unit of work (e.g. one activity, across its attempts) stands. A process that
 * dies mid-write leaves its bytes under `key`; the next attempt with the same key continues there.
 */
export interface ResumePoint {
  key: string;
  /** The attempt writing now (Temporal's attempt number); earlier attempts' leftovers are taken over. */
  attempt: number;
  /** Bytes already written and kept; the source must start at this offset. */
  bytes: number;
}

export interface SmallWriteOptions {
  contentType: string;
  metadata?: MetadataInput;
}

export interface Destination {
  readonly spec: DestinationSpec;
  /** Canonical URI of the destination root. */
  readonly uri: string;
  /** Bytes of custom metadata (names and values, UTF-8) an object may carry here; callers cut to it. */
  readonly metadataBudgetBytes: number;
  objectUri(relativePath: string): string;
  /** The stored object, or undefined when there is none. */
  stat(relativePath: string): Promise<StoredObject | undefined>;
  /**
   * Streams `source` into the object. Resolves only when the object is durably visible under its
   * final name with its metadata; rejects, leaving nothing visible and no temp file or upload
   * behind, when the source errors, the signal aborts, or the size or checksum check fails.
   */
  writeObject(relativePath: string, source: NodeJS.ReadableStream | Readable, options: WriteOptions): Promise<StoredObject>;
  /**
   * Takes over the bytes an earlier, dead attempt with `key` left for `relativePath`, if it went
   * quiet more than `idleMs` ago (a writer still busy is never joined). Stores that cannot resume
   * across processes answer 0 bytes.
   */
  prepareResume(relativePath: string, key: string, attempt: number, idleMs: number): Promise<ResumePoint>;
  /** Whole-buffer write that overwrites whatever is there (manifest.json). Atomic too. */
  writeSmallObject(relativePath: string, body: string | Buffer, options: SmallWriteOptions): Promise<StoredObject>;
  /** Removes the object (and its metadata); nothing there is not an error. */
  remove(relativePath: string): Promise<void>;
  /** The object's bytes (for verify and tests). */
  readObject(relativePath: string): Readable;
  /**
   * Objects under a folder ('' for all; 'a/b' or 'a/b/' for those under a/b/), sorted by path.
   * Local: excludes sidecars and the temp folder.
   */
  list(relativePrefix: string): Promise<StoredObject[]>;
  /**
   * Stores that belong to the user (a bucket, a container) check that theirs exists and that the
   * credentials may list it, with one request; DestinationUnavailableError when not. A local folder
   * is created when written to and has no such check.
   */
  checkAvailable?(): Promise<void>;
  /**
   * Removes what writers that died left behind (temp files, unfinished uploads) once quiet for more
   * than `idleMs`; with `ownerFolder` (`test_id=<id>`), only that folder's. Returns how many.
   * Stores with nothing to sweep do not have it.
   */
  sweepAbandonedWrites?(idleMs: number, ownerFolder?: string): Promise<number>;
}
