import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../storage';
import { harnessValue } from './harness-env';

/** The standard AWS variables that point the SDK at the run's moto server (any keys will do there). */
export function s3TestEnv(): Record<string, string> {
  return { AWS_ENDPOINT_URL_S3: harnessValue('s3Url'), AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
}

export function testS3Client(): S3Client {
  return createS3Client(s3TestEnv());
}

let counter = 0;

/** A fresh bucket: buckets are the user's, so tests make their own, one per test where they could meet. */
export async function newTestBucket(client: S3Client, label: string): Promise<string> {
  const name = `ut-media-${label}-${process.pid}-${Date.now().toString(36)}-${counter++}`.slice(0, 63);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Every key in the bucket, sorted. */
export async function bucketKeys(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** Removes every object (frees the emulator's memory after large ones). */
export async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  const keys = await bucketKeys(client, bucket);
  for (let i = 0; i < keys.length; i += 1000) {
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
  }
}
