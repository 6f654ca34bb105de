/**
 * az:// behind a faulty network: the fault proxy in front of Azurite answers 503 itself, or never
 * answers, for chosen requests. The SDK retries a 503 by its default policy; a request never
 * answered is given up by our stall watchdog. Nothing is ever visible before the commit.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { StorageRequestError } from '../../storage';
import { AzureDestination } from '../../storage/azure/destination';
import { generatedSource, readAll } from '../support/generated-source';
import { startFaultProxy, type FaultProxy, type ProxiedRequest, type ProxyAction } from '../support/fault-proxy';
import { harnessValue } from '../support/harness-env';
import { createHash } from 'node:crypto';

const connectionString = harnessValue('azureConnectionString');
const direct = BlobServiceClient.fromConnectionString(connectionString);
const KiB = 1024;
const REL = 'test_id=1/session_id=2/session.mp4';
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function throughProxy(decide: (r: ProxiedRequest) => ProxyAction, stallTimeoutMs = 30_000) {
  const container = `ut-media-faults-${process.pid}-${Date.now().toString(36)}`;
  await direct.getContainerClient(container).create();
  const endpoint = /BlobEndpoint=([^;]+)/.exec(connectionString)![1];
  proxy = await startFaultProxy(new URL(endpoint).origin, decide);
  // Shared-key signatures cover the account and path, not the host: the proxy may stand in between.
  const viaProxy = BlobServiceClient.fromConnectionString(connectionString.replace(endpoint, `${proxy.url}${new URL(endpoint).pathname}`));
  return new AzureDestination({ scheme: 'az', container, prefix: '' }, viaProxy, { blockSize: 256 * KiB, stallTimeoutMs });
}

const isBlock = (r: ProxiedRequest) => r.method === 'PUT' && r.url.includes('comp=block&');

describe('az:// behind a faulty network', () => {
  jest.setTimeout(60_000);

  test('a 503 on a block and on the commit: the client retries each, the object is exact', async () => {
    let blocks = 0;
    let commits = 0;
    const dest = await throughProxy((r) => {
      if (isBlock(r) && ++blocks === 2) return { status: 503 };
      if (r.url.includes('comp=blocklist') && ++commits === 1) return { status: 503 };
      return 'pass';
    });
    const src = generatedSource(1024 * KiB + 5);
    const stored = await dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: {} });
    const expected = await src.checksums;
    expect(stored).toMatchObject(expected);
    expect(
      createHash('md5')
        .update(await readAll(dest.readObject(REL)))
        .digest('base64'),
    ).toBe(expected.md5);
    expect(proxy!.log.filter((r) => r.action === '503')).toHaveLength(2);
  });

  test('a block never answered: given up after the stall timeout as retryable, nothing visible', async () => {
    let blocks = 0;
    const dest = await throughProxy((r) => (isBlock(r) && ++blocks === 2 ? 'hang' : 'pass'), 1500);
    const started = Date.now();
    const err = await dest.writeObject(REL, generatedSource(1024 * KiB).stream, { contentType: 'video/mp4', metadata: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageRequestError);
    expect(err).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await dest.stat(REL)).toBeUndefined();
  });
});
