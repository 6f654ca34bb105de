/**
 * The gs:// destination behind a fault-injecting proxy in front of fake-gcs-server: 503 answers,
 * a request never answered, and an answer cut after the server did the work. Each write either
 * ends with the exact object (the client's retries, our checks) or fails with a typed, retryable
 * error and nothing under the final name.
 */
import { Storage } from '@google-cloud/storage';
import { gcsClientOptions } from '../../storage/gcs/client';
import { GcsDestination } from '../../storage/gcs/destination';
import { createGcsClient, parseDestination, StorageRequestError } from '../../storage';
import { generatedSource, readAll } from '../support/generated-source';
import { startFaultProxy, type FaultProxy, type ProxiedRequest, type ProxyAction } from '../support/fault-proxy';
import { harnessValue } from '../support/harness-env';

const MiB = 1 << 20;
const CHUNK = 2 * MiB;
const REL = 'test_id=11111111-1111-4111-8111-111111111111/session_id=22222222-2222-4222-8222-222222222222/session.mp4';
const direct = createGcsClient({ STORAGE_EMULATOR_HOST: harnessValue('gcsUrl') });

const isSessionStart = (r: ProxiedRequest) => r.method === 'POST' && r.url.includes('uploadType=resumable');
const isChunk = (r: ProxiedRequest) => r.method === 'PUT' && r.url.includes('upload_id=');
const isSimpleUpload = (r: ProxiedRequest) => r.method === 'POST' && r.url.includes('uploadType=multipart');

let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
// After a failed chunk the client schedules its own retry on a timer nothing can cancel (our write has
// failed and destroyed the upload by then); it fires within a few seconds against the closed proxy.
// Let it fire while this file's modules are loaded, not in the next test file of this jest worker.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 5000)));

/** A destination whose every request goes through a proxy applying `decide`, in a fresh bucket. */
async function throughProxy(decide: (r: ProxiedRequest) => ProxyAction, stallTimeoutMs = 30_000) {
  const bucket = `ut-media-faults-${process.pid}-${Date.now().toString(36)}`;
  await direct.createBucket(bucket);
  proxy = await startFaultProxy(harnessValue('gcsUrl'), decide);
  // The client's default retries, as the product uses them.
  const storage = new Storage(gcsClientOptions({ STORAGE_EMULATOR_HOST: proxy.url }));
  const spec = parseDestination(`gs://${bucket}/archive`);
  return { bucket, dest: new GcsDestination(spec as Extract<typeof spec, { scheme: 'gs' }>, storage, { chunkSize: CHUNK, stallTimeoutMs }) };
}

/** Fails the first `times` requests that match `which` with `action`, passes everything else. */
function firstOnes(which: (r: ProxiedRequest) => boolean, times: number, action: ProxyAction) {
  let left = times;
  return (r: ProxiedRequest): ProxyAction => (which(r) && left-- > 0 ? action : 'pass');
}

async function objectNames(bucket: string): Promise<string[]> {
  const [files] = await direct.bucket(bucket).getFiles();
  return files.map((f) => f.name);
}

const MEDIA = { contentType: 'video/mp4', metadata: { testId: 't' } };

/** The write fails with a retryable StorageRequestError and leaves nothing; the retry (the activity's) stores the exact object. */
async function failsThenRetrySucceeds(bucket: string, dest: GcsDestination, bytes: number, expected: Partial<StorageRequestError>) {
  const error = await dest.writeObject(REL, generatedSource(bytes).stream, { ...MEDIA, expectedBytes: bytes }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StorageRequestError);
  expect(error).toMatchObject({ retryable: true, ...expected });
  expect(String((error as Error).message)).not.toMatch(/upload_id|uploadType/);
  expect(await objectNames(bucket)).toEqual([]);

  const source = generatedSource(bytes);
  const stored = await dest.writeObject(REL, source.stream, { ...MEDIA, expectedBytes: bytes });
  const sent = await source.checksums;
  expect(stored).toMatchObject({ bytes: sent.bytes, md5: sent.md5, crc32c: sent.crc32c, metadata: { testId: 't' } });
  const back = await readAll(direct.bucket(bucket).file(`archive/${REL}`).createReadStream());
  expect(back.length).toBe(bytes);
  expect(await objectNames(bucket)).toEqual([`archive/${REL}`]);
}

/*
 * What @google-cloud/storage 7.x does on its own, seen here: it retries the start of a resumable
 * session, but a streamed one-request upload is not retried (save() retries; a stream cannot replay
 * its bytes). After a failed chunk the client asks the session where it stands; fake-gcs-server
 * does not implement that query: it finalizes the object with what it has (0 bytes) and answers 404
 * afterwards. GCS answers 308 with the Range it holds and the client goes on. So here the write fails
 * as retryable, removes the emulator's stray object, and the activity's retry writes again.
 */
describe('gs:// behind a faulty network', () => {
  test('503 on starting a resumable upload: the client retries it; exact', async () => {
    const { bucket, dest } = await throughProxy(firstOnes(isSessionStart, 1, { status: 503 }));
    const source = generatedSource(7 * MiB);
    const stored = await dest.writeObject(REL, source.stream, { ...MEDIA, expectedBytes: 7 * MiB });
    expect(stored).toMatchObject({ bytes: 7 * MiB, md5: (await source.checksums).md5 });
    expect(proxy!.log.filter((l) => l.action === '503')).toHaveLength(1);
    expect(await objectNames(bucket)).toEqual([`archive/${REL}`]);
  });

  test('503 on a one-request upload', async () => {
    const { bucket, dest } = await throughProxy(firstOnes(isSimpleUpload, 1, { status: 503 }));
    await failsThenRetrySucceeds(bucket, dest, 1000, { status: 503 });
  });

  test('503 on an upload chunk', async () => {
    const { bucket, dest } = await throughProxy(firstOnes(isChunk, 1, { status: 503 }));
    await failsThenRetrySucceeds(bucket, dest, 5 * MiB, {});
  });

  test('an upload chunk never answered: given up after the stall timeout, not after the activity timeout', async () => {
    const { bucket, dest } = await throughProxy(firstOnes(isChunk, 1, 'hang'), 1500);
    await failsThenRetrySucceeds(bucket, dest, 5 * MiB, { code: 'ETIMEDOUT' });
  });

  test('the answer to an upload chunk cut after the store took it', async () => {
    const { bucket, dest } = await throughProxy(firstOnes(isChunk, 1, 'cut'));
    await failsThenRetrySucceeds(bucket, dest, 5 * MiB, {});
    expect(proxy!.log.some((l) => l.action === 'cut')).toBe(true);
  });
});
