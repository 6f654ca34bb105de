/**
 * Row 6b of `npm run bench`: each object store against a plain client on the same emulator. A 1 GB
 * video is ingested into gs://, s3:// and az:// (download, checksums and upload, through the
 * workflow), and the same bytes, first fetched to a file, are uploaded by `curl` to the same
 * emulator: gs:// in the same protocol (a resumable session in 8 MiB chunks, as ours sends it) and
 * in one request, s3:// and az:// in one PUT each. What bounds each row is in its detail.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BlobSASPermissions, BlobServiceClient, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { createGcsClient, createS3Client } from '../storage';
import { createAzureClient } from '../storage/azure/client';
import { DEFAULT_CHUNK_SIZE } from '../storage/gcs/destination';
import { startMotoServer } from '../test/support/emulators/moto-server';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY, azuriteConnectionString, startAzurite } from '../test/support/emulators/azurite';
import { startSeparateSimulator, videoLink } from './separate-simulator';
import { scratchOnTmpfs } from './scratch';
import { timedWithCpu } from './process-cpu';
import type { BenchIngest } from './support';
import type { BenchRow } from './table';

const run = promisify(execFile);
const GB = 1_000_000_000;
const CONTAINER = 'ut-media-bench';

interface Timed {
  seconds: number;
  /** CPU seconds the emulator used meanwhile. */
  emulatorCpu?: number;
}

interface StoreRun {
  scheme: 'gs' | 's3' | 'az';
  ours: Timed & { ownCpu: number };
  curl: Timed;
  /** gs:// only: curl in one request, the emulator's plain upload speed. */
  curlOneRequest?: Timed;
}

/** The target of each row: ours within this factor of curl's upload. */
const STORE_TARGET = 1.25;
/** Past this share of the wall time busy on its one thread, the emulator is what sets the pace. */
const EMULATOR_BOUND_SHARE = 0.8;

/** A resumable upload in `chunk`-byte requests, as the GCS clients send one. */
async function curlResumableGcs(gcsUrl: string, bucket: string, name: string, file: string, chunk: number): Promise<void> {
  const total = fs.statSync(file).size;
  const started = await run('curl', [
    '--silent',
    '--show-error',
    '--fail',
    '--include',
    '--request',
    'POST',
    '--header',
    `X-Upload-Content-Length: ${total}`,
    '--header',
    'Content-Type: application/json',
    '--data',
    '{}',
    `${gcsUrl}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}`,
  ]);
  const session = /^location:\s*(\S+)/im.exec(started.stdout)?.[1];
  if (!session) throw new Error('fake-gcs-server gave no resumable session');
  for (let offset = 0; offset < total; offset += chunk) {
    const end = Math.min(total, offset + chunk) - 1;
    // `--data-binary @-` from a slice of the file: the request body is exactly this chunk.
    await run('sh', [
      '-c',
      `tail -c +${offset + 1} "$1" | head -c ${end - offset + 1} | curl --silent --show-error --output /dev/null --request PUT ` +
        `--header "Content-Range: bytes ${offset}-${end}/${total}" --data-binary @- "$2"`,
      'sh',
      file,
      session,
    ]);
  }
}

/** One request with the file as its body (PUT unless `method` says otherwise). */
async function curlUpload(url: string, file: string, headers: string[] = [], method = 'PUT'): Promise<void> {
  const args = ['--silent', '--show-error', '--fail', '--output', '/dev/null', '--request', method, '--header', 'Expect:'];
  await run('curl', [...args, ...headers.flatMap((h) => ['--header', h]), '--upload-file', file, url]);
}

async function s3Size(s3: S3Client, bucket: string, key: string): Promise<number | undefined> {
  return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
}

export async function benchStores(
  ingest: BenchIngest,
  scratch: string,
  gcs: { url: string; pid: number },
  gcsBucket: string,
  quick: boolean,
): Promise<BenchRow[]> {
  const bytes = quick ? 128 * 1024 * 1024 : GB;
  const mb = `${(bytes / 1e6).toFixed(0)} MB`;
  console.log(`\n(6b) object stores: ${mb} through ut-media into each emulator, against curl uploading the same bytes to it`);
  const { url: gcsUrl, pid: gcsPid } = gcs;
  const [moto, azurite] = await Promise.all([startMotoServer(), startAzurite()]);
  const saved = { ...process.env };
  const connectionString = azuriteConnectionString(azurite.blobEndpoint);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: moto.url,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AZURE_STORAGE_CONNECTION_STRING: connectionString,
  });
  const sim = await startSeparateSimulator(scratch, bytes);
  const tmp = scratchOnTmpfs(scratch, bytes);
  const copy = path.join(tmp.root, 'video.bin');
  const runs: StoreRun[] = [];
  try {
    const s3 = createS3Client();
    await s3.send(new CreateBucketCommand({ Bucket: CONTAINER }));
    const azure: BlobServiceClient = createAzureClient();
    await azure.getContainerClient(CONTAINER).create();
    await run('curl', ['--silent', '--fail', '--output', copy, await videoLink(sim)]);

    const ours = async (dest: string, emulatorPid: number) => {
      const ownBefore = process.cpuUsage();
      const timed = await timedWithCpu(emulatorPid, async () => {
        const result = await ingest(sim, { testId: sim.scenario.tests[0].testId, dest, only: ['videos'] });
        if (result.summary.failed) throw new Error(`stores bench: the video failed on ${dest}: ${result.summary.failures[0]?.reason}`);
      });
      const own = process.cpuUsage(ownBefore);
      return { seconds: timed.seconds, emulatorCpu: timed.cpuSeconds, ownCpu: (own.user + own.system) / 1e6 };
    };
    const curl = (emulatorPid: number, step: () => Promise<void>) =>
      timedWithCpu(emulatorPid, step).then((t): Timed => ({ seconds: t.seconds, emulatorCpu: t.cpuSeconds }));

    runs.push({
      scheme: 'gs',
      ours: await ours(`gs://${gcsBucket}/stores`, gcsPid),
      curl: await curl(gcsPid, () => curlResumableGcs(gcsUrl, gcsBucket, 'curl/resumable', copy, DEFAULT_CHUNK_SIZE)),
      curlOneRequest: await curl(gcsPid, () => curlUpload(`${gcsUrl}/upload/storage/v1/b/${gcsBucket}/o?uploadType=media&name=curl%2Fone`, copy, [], 'POST')),
    });
    const [gcsCopy] = await createGcsClient().bucket(gcsBucket).file('curl/resumable').getMetadata();
    if (Number(gcsCopy.size) !== bytes) throw new Error(`stores bench: curl's resumable upload stored ${gcsCopy.size} bytes, not ${bytes}`);

    runs.push({
      scheme: 's3',
      ours: await ours(`s3://${CONTAINER}/stores`, moto.pid),
      curl: await curl(moto.pid, () => curlUpload(`${moto.url}/${CONTAINER}/curl-copy`, copy)),
    });
    if ((await s3Size(s3, CONTAINER, 'curl-copy')) !== bytes) throw new Error("stores bench: curl's PUT to moto did not store every byte");

    const blob = azure.getContainerClient(CONTAINER).getBlockBlobClient('curl-copy');
    const sas = generateBlobSASQueryParameters(
      { containerName: CONTAINER, blobName: 'curl-copy', permissions: BlobSASPermissions.parse('cw'), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY),
    );
    runs.push({
      scheme: 'az',
      ours: await ours(`az://${CONTAINER}/stores`, azurite.pid),
      curl: await curl(azurite.pid, () => curlUpload(`${blob.url}?${sas.toString()}`, copy, ['x-ms-blob-type: BlockBlob'])),
    });
    if ((await blob.getProperties()).contentLength !== bytes) throw new Error("stores bench: curl's Put Blob to Azurite did not store every byte");
  } finally {
    await sim.close();
    tmp.remove();
    for (const key of ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AZURE_STORAGE_CONNECTION_STRING']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await Promise.allSettled([moto.stop(), azurite.stop()]);
  }
  const emulatorNames = { gs: 'fake-gcs-server', s3: 'moto', az: 'Azurite' } as const;
  const busy = (t: Timed, scheme: StoreRun['scheme']) =>
    t.emulatorCpu === undefined ? '' : `, ${emulatorNames[scheme]} busy ${t.emulatorCpu.toFixed(1)} CPU-s`;
  // The emulator bounds a run when its own work for our requests takes longer than the target allows
  // the whole run, or keeps it busy most of the time.
  const boundOf = (r: StoreRun) => {
    const emulatorCpu = r.ours.emulatorCpu ?? 0;
    const allowed = STORE_TARGET * r.curl.seconds;
    const share = emulatorCpu / r.ours.seconds;
    if (emulatorCpu >= allowed)
      return `bound: the emulator (${emulatorCpu.toFixed(1)} CPU-s for our requests, more than the ${allowed.toFixed(1)} s the target allows)`;
    if (share >= EMULATOR_BOUND_SHARE) return `bound: the emulator (busy ${(share * 100).toFixed(0)} % of our run)`;
    return `bound: our process and the emulator on ${os.cpus().length} cores (ours ${r.ours.ownCpu.toFixed(1)} CPU-s, the emulator ${emulatorCpu.toFixed(1)})`;
  };
  for (const r of runs)
    console.log(
      `    ${r.scheme}://: ${r.ours.seconds.toFixed(1)} s${busy(r.ours, r.scheme)}, our process ${r.ours.ownCpu.toFixed(1)} CPU-s; ` +
        `curl ${r.curl.seconds.toFixed(1)} s${busy(r.curl, r.scheme)}` +
        (r.curlOneRequest ? ` (in one request ${r.curlOneRequest.seconds.toFixed(1)} s${busy(r.curlOneRequest, r.scheme)})` : ''),
    );
  const protocols: Record<StoreRun['scheme'], string> = {
    gs: 'both send 8 MiB chunks of one resumable upload; fake-gcs-server hashes the whole object again at each chunk',
    s3: 'ours: 5 MiB parts, two in flight, CompleteMultipartUpload, then CopyObject to publish; curl: one PUT',
    az: 'ours: 8 MiB blocks, two in flight, then the block list; curl: one Put Blob',
  };
  return runs.map((r) => ({
    id: `stores.${r.scheme}VsCurl`,
    label: `6b. ${r.scheme}:// time / curl upload time (${mb})`,
    value: r.ours.seconds / r.curl.seconds,
    target: { op: '<=', value: STORE_TARGET },
    detail:
      `${r.ours.seconds.toFixed(1)} s (link, checksums and upload, incl. the workflow) vs ${r.curl.seconds.toFixed(1)} s` +
      (r.curlOneRequest ? ` (${r.curlOneRequest.seconds.toFixed(1)} s in one request)` : '') +
      `; ${boundOf(r)}; ${protocols[r.scheme]}`,
  }));
}
