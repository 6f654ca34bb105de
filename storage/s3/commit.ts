/**
 * Publishing a fully uploaded temp object under its final name, with metadata that includes our
 * MD5/CRC32C of its bytes: a server-side copy (no byte passes through this process) that carries
 * the precondition (`If-None-Match: *` to create, `If-Match: <etag>` to replace). Up to 5 GiB one
 * CopyObject does it; above, a multipart copy whose CompleteMultipartUpload carries the
 * precondition and the size S3 must find (`MpuObjectSize`). Only that last request makes the
 * object visible, atomically.
 *
 * Why a copy: S3 takes user metadata when an upload starts and never changes it afterwards, while
 * the checksums of a streamed object are known only at its end.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ObjectAlreadyExistsError } from '../errors';
import { isS3NotFound } from './errors';

/** The largest object S3 copies in one CopyObject, and the largest part of an UploadPartCopy. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;
/** Above 5 GiB: parts copied side by side. */
const COPY_PART_BYTES = 512 * 1024 * 1024;
const COPY_CONCURRENCY = 4;

export interface CopyIntoPlace {
  bucket: string;
  /** The complete temp object and the ETag it had when written (copied only if unchanged). */
  sourceKey: string;
  sourceEtag: string;
  key: string;
  bytes: number;
  contentType: string;
  /** Already in S3's form (see metadata.ts). */
  metadata: Record<string, string>;
  /** Replace exactly this ETag; undefined: the key must be free. */
  ifMatch?: string;
  /** For ObjectAlreadyExistsError. */
  relativePath: string;
  objectUri: string;
  /** Objects up to this size are published with one CopyObject. @default 5 GiB */
  singleCopyMaxBytes?: number;
}

/** The `x-amz-copy-source` value: bucket and key, each key segment URL-encoded. */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Copies `sourceKey` to `key` and returns the new object's ETag. SDK errors are left to the caller to map. */
export async function copyIntoPlace(client: S3Client, c: CopyIntoPlace): Promise<string> {
  await ensurePrecondition(client, c);
  const precondition = c.ifMatch !== undefined ? { IfMatch: c.ifMatch } : { IfNoneMatch: '*' };
  if (c.bytes <= (c.singleCopyMaxBytes ?? MAX_SINGLE_COPY_BYTES)) {
    const { CopyObjectResult } = await client.send(
      new CopyObjectCommand({
        Bucket: c.bucket,
        Key: c.key,
        CopySource: copySource(c.bucket, c.sourceKey),
        CopySourceIfMatch: c.sourceEtag,
        MetadataDirective: 'REPLACE',
        ContentType: c.contentType,
        Metadata: c.metadata,
        ...precondition,
      }),
    );
    return CopyObjectResult!.ETag!;
  }
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: c.bucket, Key: c.key, ContentType: c.contentType, Metadata: c.metadata }));
  try {
    const parts = await copyParts(client, c, UploadId!);
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: c.bucket,
        Key: c.key,
        UploadId,
        MultipartUpload: { Parts: parts },
        MpuObjectSize: c.bytes,
        ...precondition,
      }),
    );
    return done.ETag!;
  } catch (err) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: c.bucket, Key: c.key, UploadId })).catch(() => undefined);
    throw err;
  }
}

async function copyParts(client: S3Client, c: CopyIntoPlace, uploadId: string): Promise<CompletedPart[]> {
  const partBytes = Math.min(COPY_PART_BYTES, c.singleCopyMaxBytes ?? MAX_SINGLE_COPY_BYTES);
  const ranges: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < c.bytes; start += partBytes) ranges.push({ start, end: Math.min(c.bytes, start + partBytes) - 1 });
  const parts: CompletedPart[] = new Array(ranges.length);
  let next = 0;
  const copier = async () => {
    while (next < ranges.length) {
      const index = next++;
      const { start, end } = ranges[index];
      const { CopyPartResult } = await client.send(
        new UploadPartCopyCommand({
          Bucket: c.bucket,
          Key: c.key,
          UploadId: uploadId,
          PartNumber: index + 1,
          CopySource: copySource(c.bucket, c.sourceKey),
          CopySourceIfMatch: c.sourceEtag,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      parts[index] = { PartNumber: index + 1, ETag: CopyPartResult?.ETag };
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, ranges.length) }, copier));
  return parts;
}

/**
 * Stores that ignore the precondition on a copy (moto does, on CopyObject for both headers and on
 * CompleteMultipartUpload for If-Match; S3 honours them) are guarded by this look just before: not
 * atomic, a writer in between could still be overwritten there.
 */
async function ensurePrecondition(client: S3Client, c: CopyIntoPlace): Promise<void> {
  const current = await client.send(new HeadObjectCommand({ Bucket: c.bucket, Key: c.key })).catch((err: unknown) => {
    if (isS3NotFound(err)) return undefined;
    throw err;
  });
  if (c.ifMatch === undefined ? current !== undefined : current?.ETag !== c.ifMatch) throw new ObjectAlreadyExistsError(c.relativePath, c.objectUri, c.ifMatch);
}
