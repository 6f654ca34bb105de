/**
 * What dead writers leave in a bucket: multipart uploads never completed nor aborted (their parts
 * are stored and billed, though invisible) and temp objects never published. Writers in this
 * process clean up after themselves; a process that was killed cannot, so the end of a run sweeps.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type MultipartUpload,
  type S3Client,
} from '@aws-sdk/client-s3';
import { joinKey, LOCAL_TEMP_DIR } from '../object-names';
import { s3CodeOf, s3StatusOf } from './errors';

/** Temp objects live in the same folder a local destination uses, `<prefix>/.ut-media-tmp/`. */
const TEMP_FOLDER = LOCAL_TEMP_DIR;

const ownerTag = (firstFolder: string) => `${firstFolder.slice(0, 60)}~`;

/** A fresh temp key for one write of `relativePath`; its first folder (`test_id=<id>`) says whose it is. */
export function tempKeyFor(prefix: string, relativePath: string): string {
  const owner = ownerTag(relativePath.split('/')[0]);
  const name = path.posix.basename(relativePath).slice(0, 80);
  return joinKey(prefix, `${TEMP_FOLDER}/${owner}${name}.${process.pid}.${Date.now()}.${randomBytes(6).toString('hex')}`);
}

export interface SweepScope {
  bucket: string;
  /** The destination's prefix ('' or 'a/b'). */
  prefix: string;
  /** Only writes quiet for longer than this are dead. */
  idleMs: number;
  /** Only this folder's (`test_id=<id>`) leftovers; when undefined, whatever is in the temp folder. */
  ownerFolder?: string;
}

/**
 * Aborts abandoned multipart uploads and removes stale temp objects; returns how many. Only keys
 * ut-media writes are looked at: the temp folder, and with `ownerFolder` that folder too (a
 * multipart copy into place runs under the final name). SDK errors are the caller's to map.
 */
export async function sweepAbandonedWrites(client: S3Client, scope: SweepScope): Promise<number> {
  const base = scope.prefix ? `${scope.prefix}/` : '';
  const temp = `${base}${TEMP_FOLDER}/${scope.ownerFolder === undefined ? '' : ownerTag(scope.ownerFolder)}`;
  const cutoff = Date.now() - scope.idleMs;
  let removed = 0;
  for (const prefix of scope.ownerFolder === undefined ? [temp] : [temp, `${base}${scope.ownerFolder}/`]) {
    for await (const upload of multipartUploads(client, scope.bucket, prefix)) {
      if ((await lastActivity(client, scope.bucket, upload)) > cutoff) continue;
      const aborted = await client
        .send(new AbortMultipartUploadCommand({ Bucket: scope.bucket, Key: upload.Key, UploadId: upload.UploadId }))
        .then(() => true, unlessGone);
      if (aborted) removed++;
    }
  }
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: scope.bucket, Prefix: temp, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if ((object.LastModified?.getTime() ?? 0) > cutoff) continue;
      await client.send(new DeleteObjectCommand({ Bucket: scope.bucket, Key: object.Key }));
      removed++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return removed;
}

/**
 * The unfinished uploads under `prefix`. Credentials without s3:ListBucketMultipartUploads see none:
 * housekeeping must not fail a run (a lifecycle rule aborting incomplete uploads does the same job).
 */
async function* multipartUploads(client: S3Client, bucket: string, prefix: string): AsyncGenerator<MultipartUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await client
      .send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }))
      .catch((err: unknown) => {
        if (s3StatusOf(err) === 403) return undefined;
        throw err;
      });
    if (!page) return;
    yield* page.Uploads ?? [];
    [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
  } while (keyMarker !== undefined);
}

/** An upload completed or aborted meanwhile by its own writer, or one these credentials may not touch, is left alone. */
function unlessGone(err: unknown): false {
  if (s3CodeOf(err) === 'NoSuchUpload' || s3StatusOf(err) === 403) return false;
  throw err;
}

/** When the upload last moved: its newest part, else its start (a live writer sends a part every few seconds). */
async function lastActivity(client: S3Client, bucket: string, upload: MultipartUpload): Promise<number> {
  let latest = upload.Initiated?.getTime() ?? 0;
  let marker: string | undefined;
  do {
    const page = await client
      .send(new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId, PartNumberMarker: marker }))
      .catch((err: unknown) => {
        if (s3StatusOf(err) === 403) return 'unseen' as const;
        return unlessGone(err);
      });
    if (page === 'unseen') return latest;
    if (!page) return Number.POSITIVE_INFINITY;
    for (const part of page.Parts ?? []) latest = Math.max(latest, part.LastModified?.getTime() ?? 0);
    marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
  } while (marker !== undefined);
  return latest;
}
