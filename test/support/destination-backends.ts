/**
 * The four destination backends as the contract and memory suites see them (in the manner of
 * rclone's fstests): each makes a fresh, isolated store (a temp folder, a bucket or a container of
 * its own) against the run's emulators, opens destinations in it with small parts where the
 * backend allows, lists it with the backend's own tools, and removes it.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteBucketCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { createGcsClient, type Destination } from '../../storage';
import { AzureDestination } from '../../storage/azure/destination';
import { GcsDestination } from '../../storage/gcs/destination';
import { LocalDestination } from '../../storage/local/destination';
import { LOCAL_TEMP_DIR } from '../../storage/object-names';
import { S3Destination } from '../../storage/s3/destination';
import { harnessValue } from './harness-env';
import { bucketKeys, emptyBucket, newTestBucket, testS3Client } from './s3';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface StoreUnderTest {
  /** A destination under `prefix` ('' for the store's root). `defaults`: the backend's own part sizes instead of small ones. */
  destination(prefix: string, defaults?: boolean): Destination;
  /** Every name the store holds, by the backend's own listing: objects, sidecars, temp files and temp objects. */
  names(): Promise<string[]>;
  /**
   * Writes under way or left behind, as far as the backend can list them: temp files (folder),
   * multipart uploads (s3), names with only uncommitted blocks (az). gs cannot list resumable sessions.
   */
  pendingWrites(): Promise<string[]>;
  /** Puts in the destination at `prefix` what this backend's writers keep beside objects mid-write, where a listing could meet it. */
  plantTempDebris(prefix: string): Promise<void>;
  remove(): Promise<void>;
}

export interface BackendUnderTest {
  name: 'folder' | 'gs' | 's3' | 'az';
  /** Bytes of one chunk (gs), part (s3) or block (az) in the small-part destinations; a folder has none. */
  partBytes: number;
  /**
   * Staged blocks of a failed az:// write stay uncommitted, invisible, until Azure discards them (7
   * days): removing them would remove those of another writer of the same name too.
   */
  failedWritesLeaveStagedBlocks: boolean;
  /** `pendingWrites` shows a multi-part write while it streams (not on gs). */
  listsWritesUnderWay: boolean;
  /** The store's names for one object at `key` (prefix/relative path): a folder keeps a sidecar beside it. */
  storedNames(key: string): string[];
  /**
   * Where the emulator does not hold a precondition atomically when a multi-part write commits (a
   * real store does): fake-gcs-server ignores ifGenerationMatch on resumable uploads, and moto's
   * CopyObject ignores If-None-Match/If-Match (see the emulator facts of storage-gcs/s3.test.ts).
   * 'none': not even a writer overtaken while streaming is caught; 'look-before-publish': that one
   * is, by the look just before publishing, but two writers committing at once could both win.
   */
  multipartCommitGuard: 'atomic' | 'look-before-publish' | 'none';
  newStore(): Promise<StoreUnderTest>;
}

let counter = 0;
const uniqueName = (label: string) => `ut-media-${label}-${process.pid}-${Date.now().toString(36)}-${counter++}`.slice(0, 63);

const folder: BackendUnderTest = {
  name: 'folder',
  listsWritesUnderWay: true,
  storedNames: (key) => [key, `${key}.json`],
  partBytes: 256 * KiB,
  failedWritesLeaveStagedBlocks: false,
  multipartCommitGuard: 'atomic',
  async newStore() {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ut-media-contract-'));
    const rootOf = (prefix: string) => path.join(root, ...prefix.split('/').filter(Boolean));
    const files = async () =>
      (await fs.readdir(root, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    return {
      destination: (prefix) => new LocalDestination({ scheme: 'file', root: rootOf(prefix) }),
      names: async () => (await files()).sort(),
      pendingWrites: async () => (await files()).filter((f) => f.split('/').includes(LOCAL_TEMP_DIR)).sort(),
      async plantTempDebris(prefix) {
        await fs.mkdir(path.join(rootOf(prefix), LOCAL_TEMP_DIR), { recursive: true });
        await fs.writeFile(path.join(rootOf(prefix), LOCAL_TEMP_DIR, 'session.mp4.1.2.leftover.part'), 'junk');
      },
      remove: () => fs.rm(root, { recursive: true, force: true }),
    };
  },
};

const gs: BackendUnderTest = {
  name: 'gs',
  listsWritesUnderWay: false,
  storedNames: (key) => [key],
  partBytes: 256 * KiB,
  failedWritesLeaveStagedBlocks: false,
  multipartCommitGuard: 'none',
  async newStore() {
    const storage = createGcsClient({ STORAGE_EMULATOR_HOST: harnessValue('gcsUrl') });
    const bucket = storage.bucket(uniqueName('contract'));
    await bucket.create();
    return {
      destination: (prefix, defaults) => new GcsDestination({ scheme: 'gs', bucket: bucket.name, prefix }, storage, defaults ? {} : { chunkSize: 256 * KiB }),
      names: async () => (await bucket.getFiles())[0].map((f) => f.name).sort(),
      // A resumable session cannot be listed; GCS discards an unfinished one after a week.
      pendingWrites: async () => [],
      // A gs:// write keeps nothing beside the object: the upload session is all there is.
      plantTempDebris: async () => undefined,
      async remove() {
        await bucket.deleteFiles({ force: true });
        await bucket.delete();
      },
    };
  },
};

const s3: BackendUnderTest = {
  name: 's3',
  listsWritesUnderWay: true,
  storedNames: (key) => [key],
  partBytes: 5 * MiB,
  failedWritesLeaveStagedBlocks: false,
  multipartCommitGuard: 'look-before-publish',
  async newStore() {
    const client = testS3Client();
    const bucket = await newTestBucket(client, 'contract');
    return {
      // 5 MiB is S3's smallest part, and the default.
      destination: (prefix) => new S3Destination({ scheme: 's3', bucket, prefix }, client),
      names: () => bucketKeys(client, bucket),
      pendingWrites: async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).map((u) => u.Key!).sort(),
      async plantTempDebris(prefix) {
        const base = prefix ? `${prefix}/` : '';
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${base}${LOCAL_TEMP_DIR}/test_id=1~session.mp4.1.2.leftover`, Body: 'junk' }));
      },
      async remove() {
        await emptyBucket(client, bucket);
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      },
    };
  },
};

const az: BackendUnderTest = {
  name: 'az',
  listsWritesUnderWay: true,
  storedNames: (key) => [key],
  partBytes: 256 * KiB,
  failedWritesLeaveStagedBlocks: true,
  multipartCommitGuard: 'atomic',
  async newStore() {
    const service = BlobServiceClient.fromConnectionString(harnessValue('azureConnectionString'));
    const container = service.getContainerClient(uniqueName('contract'));
    await container.create();
    const list = async (includeUncommitedBlobs: boolean) => {
      const names: string[] = [];
      for await (const item of container.listBlobsFlat({ includeUncommitedBlobs })) names.push(item.name);
      return names.sort();
    };
    return {
      destination: (prefix, defaults) =>
        new AzureDestination({ scheme: 'az', container: container.containerName, prefix }, service, defaults ? {} : { blockSize: 256 * KiB }),
      names: () => list(false),
      async pendingWrites() {
        const committed = new Set(await list(false));
        return (await list(true)).filter((name) => !committed.has(name));
      },
      // Staged blocks are no blob: nothing of a write in progress can be met by a listing.
      plantTempDebris: async () => undefined,
      remove: async () => void (await container.delete()),
    };
  },
};

export const BACKENDS: readonly BackendUnderTest[] = [folder, gs, s3, az];
