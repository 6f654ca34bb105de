/**
 * The az:// destination against the run's Azurite (npm `azurite`, blob service, in memory).
 *
 * What Azurite does differently from Azure (checked in "emulator facts" below, so a newer Azurite
 * that changes them makes this file say so):
 * - A block or Put Blob whose Content-MD5 does not match its bytes is refused with 400
 *   `InvalidOperation`; Azure answers 400 `Md5Mismatch`, which the destination maps to
 *   ChecksumMismatchError (on Azurite the write fails as a non-retryable StorageRequestError).
 * - More than 8 KiB of metadata is accepted; Azure refuses it (400 `MetadataTooLarge`). The
 *   destination checks the size itself before any request, so this never matters to us.
 * - A wrong account key is `AuthorizationFailure` (403); Azure says `AuthenticationFailed` (403).
 *   Both are a configuration error here.
 * - A Put Blob with `If-None-Match: *` is refused (409) while the name has only uncommitted blocks
 *   of another writer, though the name is no blob yet (404); Commit Block List is not refused.
 *   Whether Azure refuses that Put Blob is not checked here; nothing of ours relies on either.
 * Alike in both: uncommitted blocks are invisible (no blob, no listing entry) until the commit;
 * `If-None-Match: *` on an existing blob is 409 `BlobAlreadyExists`, a stale `If-Match` 412
 * `ConditionNotMet`; a blob's properties report metadata names lower-cased and a listing keeps
 * their case; a listing reports ETags without the quotes the headers have.
 *
 * The behaviours every destination shares are in destination-contract.test.ts; this file keeps what
 * only az:// has: the blob as Azure holds it, one Put Blob or blocks, Content-MD5 checks, the
 * metadata limit, errors, credentials and URI forms from the environment, and the emulator facts.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient, BlockBlobClient } from '@azure/storage-blob';
import { DestinationUnavailableError, ObjectNotFoundError, openDestination, parseDestination, StorageRequestError, type Destination } from '../../storage';
import { AzureDestination } from '../../storage/azure/destination';
import { generatedSource, readAll } from '../support/generated-source';
import { harnessValue } from '../support/harness-env';

const connectionString = harnessValue('azureConnectionString');
const service = BlobServiceClient.fromConnectionString(connectionString);
const REL = 'test_id=11111111-1111-4111-8111-111111111111/session_id=22222222-2222-4222-8222-222222222222/session.mp4';
const KiB = 1024;
let counter = 0;

async function newContainer(): Promise<string> {
  const name = `ut-media-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  await service.getContainerClient(name).create();
  return name;
}

/** A destination with 256 KiB blocks so that a few MiB make a many-block upload. */
async function newDestination(prefix = 'archive/ut'): Promise<{ container: string; dest: AzureDestination }> {
  const container = await newContainer();
  return { container, dest: new AzureDestination({ scheme: 'az', container, prefix }, service, { blockSize: 256 * KiB }) };
}

async function blobNames(container: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of service.getContainerClient(container).listBlobsFlat()) names.push(item.name);
  return names;
}

describe('az:// destination', () => {
  it('a many-block object as Azure holds it: content type, whole-object MD5, metadata names encoded, our checksums, its blocks', async () => {
    const { container, dest } = await newDestination();
    const src = generatedSource(3 * 1024 * KiB + 17);
    const stored = await dest.writeObject(REL, src.stream, { contentType: 'video/mp4', metadata: { testId: '1111', under_score: 'a', '9lives': 'b' } });
    const expected = await src.checksums;
    expect(stored.uri).toBe(`az://${container}/archive/ut/${REL}`);
    expect(stored.generation).toMatch(/^"0x[0-9A-F]+"$/);
    const blob = service.getContainerClient(container).getBlockBlobClient(`archive/ut/${REL}`);
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe('video/mp4');
    expect(Buffer.from(properties.contentMD5!).toString('base64')).toBe(expected.md5);
    expect(properties.metadata).toEqual({ test_id: '1111', under__score: 'a', _00039lives: 'b', ut_media_md5: expected.md5, ut_media_crc32c: expected.crc32c });
    const blocks = await blob.getBlockList('committed');
    expect(blocks.committedBlocks).toHaveLength(13); // 12 full blocks of 256 KiB and the 17-byte rest
  });

  it('a body within one block goes in one Put Blob, with its MD5', async () => {
    const { dest } = await newDestination('');
    const body = Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n');
    const stored = await dest.writeObject('t/transcript.vtt', Readable.from([body]), {
      contentType: 'text/vtt',
      metadata: { kind: 'transcript' },
      expectedBytes: body.length,
    });
    expect(stored).toMatchObject({ uri: expect.stringMatching(/^az:\/\/[^/]+\/t\/transcript\.vtt$/), bytes: body.length, metadata: { kind: 'transcript' } });
    const blob = service.getContainerClient(dest.spec.container).getBlockBlobClient('t/transcript.vtt');
    expect((await blob.getBlockList('committed')).committedBlocks).toHaveLength(0);
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe('text/vtt');
    expect(Buffer.from(properties.contentMD5!).toString('base64')).toBe(stored.md5);
  });

  it.each([
    ['a staged block', 'stageBlock' as const, 600 * KiB],
    ['one Put Blob', 'upload' as const, 1000],
  ])('bytes altered on the way (%s) are refused by the service through their Content-MD5: nothing visible', async (_what, method, size) => {
    const { container, dest } = await newDestination();
    const original = BlockBlobClient.prototype[method] as (...args: unknown[]) => Promise<unknown>;
    const spy = jest.spyOn(BlockBlobClient.prototype, method).mockImplementation(function (this: BlockBlobClient, ...args: unknown[]) {
      const at = method === 'stageBlock' ? 1 : 0;
      const altered = Buffer.from(args[at] as Buffer);
      altered[0] ^= 0xff;
      args[at] = altered;
      return original.apply(this, args) as never;
    });
    try {
      const err = await dest.writeObject(REL, generatedSource(size).stream, { contentType: 'video/mp4', metadata: {} }).catch((e: unknown) => e);
      // Azure: 400 Md5Mismatch -> ChecksumMismatchError. Azurite: 400 InvalidOperation.
      expect(err).toBeInstanceOf(StorageRequestError);
      expect(err).toMatchObject({ status: 400, code: 'InvalidOperation', retryable: false });
    } finally {
      spy.mockRestore();
    }
    expect(await blobNames(container)).toEqual([]);
  });

  it("metadata over Azure's 8 KiB (once encoded) is refused before any request; the destination tells callers its budget", async () => {
    const { container, dest } = await newDestination();
    expect(dest.metadataBudgetBytes).toBe(5.5 * KiB);
    // Within the budget, even all non-ASCII (base64 makes it 4/3 as long): accepted.
    const within = { name: '☕'.repeat(Math.floor((5.5 * KiB - 4) / 3)) };
    expect(await dest.writeObject('ok.mp4', Readable.from([Buffer.from('x')]), { contentType: 'video/mp4', metadata: within })).toMatchObject({
      metadata: within,
    });
    const source = generatedSource(1024);
    const err = await dest.writeObject(REL, source.stream, { contentType: 'video/mp4', metadata: { name: '☕'.repeat(2200) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageRequestError);
    expect(err).toMatchObject({ code: 'MetadataTooLarge', retryable: false });
    expect(await blobNames(container)).toEqual(['archive/ut/ok.mp4']);
  });

  it('reading an object that is not there fails with ObjectNotFoundError (BlobNotFound)', async () => {
    const { dest } = await newDestination();
    await expect(readAll(dest.readObject(REL))).rejects.toThrow(ObjectNotFoundError);
  });

  it('a missing container is a configuration error (DestinationUnavailableError) on every operation', async () => {
    const dest = openDestination(parseDestination('az://ut-media-no-such-container/x'), { blobService: service });
    for (const expectedBytes of [undefined, 1024]) {
      const write = dest.writeObject(REL, generatedSource(expectedBytes ?? 4 * 1024 * KiB).stream, { contentType: 'video/mp4', metadata: {}, expectedBytes });
      await expect(write).rejects.toThrow(DestinationUnavailableError);
      await expect(write).rejects.toThrow(/az:\/\/ut-media-no-such-container is not available: the container does not exist/);
    }
    await expect(dest.stat(REL)).rejects.toThrow(DestinationUnavailableError);
    await expect(dest.list('')).rejects.toThrow(DestinationUnavailableError);
    await expect(dest.checkAvailable!()).rejects.toThrow(DestinationUnavailableError);
    await expect((await newDestination()).dest.checkAvailable()).resolves.toBeUndefined();
    await expect(dest.writeSmallObject('m.json', '{}', { contentType: 'application/json' })).rejects.toThrow(DestinationUnavailableError);
  });

  it('a wrong account key is a configuration error, and the key is in no message', async () => {
    const container = await newContainer();
    const key = Buffer.alloc(64, 7).toString('base64');
    const wrong = BlobServiceClient.fromConnectionString(connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${key}`));
    const dest = openDestination(parseDestination(`az://${container}`), { blobService: wrong });
    const err = await dest.writeSmallObject('m.json', '{}', { contentType: 'application/json' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationUnavailableError);
    expect((err as Error).message).toMatch(/access denied \(AuthorizationFailure/);
    expect((err as Error).message).not.toContain(key);
  });
});

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('clients from the environment', () => {
  const withEnv = async (vars: Record<string, string | undefined>, body: () => Promise<void>) => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(vars)) setEnv(k, v);
    try {
      await body();
    } finally {
      for (const [k, v] of Object.entries(saved)) setEnv(k, v);
    }
  };

  it('AZURE_STORAGE_CONNECTION_STRING; the https://<account>.blob.core.windows.net form names the account it must be for', async () => {
    const container = await newContainer();
    await withEnv({ AZURE_STORAGE_CONNECTION_STRING: connectionString }, async () => {
      const dest: Destination = openDestination(parseDestination(`https://devstoreaccount1.blob.core.windows.net/${container}/p`));
      expect(dest.uri).toBe(`https://devstoreaccount1.blob.core.windows.net/${container}/p`);
      const stored = await dest.writeSmallObject('test_id=1/m.json', '{}', { contentType: 'application/json' });
      expect(stored.uri).toBe(`https://devstoreaccount1.blob.core.windows.net/${container}/p/test_id=1/m.json`);
      expect(() => openDestination(parseDestination(`https://otheraccount.blob.core.windows.net/${container}`))).toThrow(
        /names storage account "otheraccount" but AZURE_STORAGE_CONNECTION_STRING is for "devstoreaccount1"/,
      );
    });
  });

  it('without a connection string or account: a configuration error naming the variables', async () => {
    await withEnv({ AZURE_STORAGE_CONNECTION_STRING: undefined, AZURE_STORAGE_ACCOUNT: undefined }, async () => {
      expect(() => openDestination(parseDestination('az://some-container'))).toThrow(DestinationUnavailableError);
      expect(() => openDestination(parseDestination('az://some-container'))).toThrow(/AZURE_STORAGE_CONNECTION_STRING.*AZURE_STORAGE_ACCOUNT/);
    });
    await withEnv({ AZURE_STORAGE_CONNECTION_STRING: 'AccountName=x' }, async () => {
      expect(() => openDestination(parseDestination('az://some-container'))).toThrow(/not a usable connection string/);
    });
  });
});

describe('emulator facts (Azurite; Azure differs where noted)', () => {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest();

  it('a Content-MD5 that does not match is 400 InvalidOperation (Azure: 400 Md5Mismatch), for a block and a Put Blob', async () => {
    const blob = service.getContainerClient(await newContainer()).getBlockBlobClient('b');
    const id = Buffer.from('block-01').toString('base64');
    await expect(blob.stageBlock(id, Buffer.from('abc'), 3, { transactionalContentMD5: md5(Buffer.from('abd')) })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidOperation',
    });
    await expect(blob.upload('abc', 3, { blobHTTPHeaders: { blobContentMD5: md5(Buffer.from('abd')) } })).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidOperation',
    });
  });

  it('a Put Blob with If-None-Match: * is refused (409) while another writer has blocks staged under the name; a commit is not', async () => {
    // The name is no blob yet (404, as on Azure), yet Azurite's Put Blob counts it as existing.
    // Our one-request path is only for bodies within one block, which do not race against a
    // staged writer of the same asset (the same asset has the same size).
    const blob = service.getContainerClient(await newContainer()).getBlockBlobClient('b');
    await blob.stageBlock(Buffer.from('block-01').toString('base64'), Buffer.from('abc'), 3);
    await expect(blob.getProperties()).rejects.toMatchObject({ statusCode: 404 });
    await expect(blob.upload('x', 1, { conditions: { ifNoneMatch: '*' } })).rejects.toMatchObject({ statusCode: 409, code: 'BlobAlreadyExists' });
    await blob.stageBlock(Buffer.from('block-02').toString('base64'), Buffer.from('xyz'), 3);
    await blob.commitBlockList([Buffer.from('block-02').toString('base64')], { conditions: { ifNoneMatch: '*' } });
  });

  it('accepts more than 8 KiB of metadata (Azure: 400 MetadataTooLarge)', async () => {
    const blob = service.getContainerClient(await newContainer()).getBlockBlobClient('b');
    await blob.upload('x', 1, { metadata: { big: 'a'.repeat(9000) } });
    expect((await blob.getProperties()).metadata?.big).toHaveLength(9000);
  });

  it('a wrong key is 403 AuthorizationFailure (Azure: 403 AuthenticationFailed)', async () => {
    const wrong = BlobServiceClient.fromConnectionString(connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.alloc(64, 1).toString('base64')}`));
    await expect(
      wrong
        .getContainerClient(await newContainer())
        .getBlockBlobClient('b')
        .upload('x', 1),
    ).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailure' });
  });

  it(
    "as on Azure: properties lower-case metadata names, a listing keeps their case and drops the ETag's quotes; " + 'a HEAD 404 has its code only in details',
    async () => {
      const container = service.getContainerClient(await newContainer());
      const blob = container.getBlockBlobClient('b');
      const { etag } = await blob.upload('x', 1, { metadata: { CamelCase: 'v' } });
      expect((await blob.getProperties()).metadata).toEqual({ camelcase: 'v' });
      const items = [];
      for await (const listed of container.listBlobsFlat({ includeMetadata: true })) items.push(listed);
      const [item] = items;
      expect(item.metadata).toEqual({ CamelCase: 'v' });
      expect(`"${item.properties.etag}"`).toBe(etag);
      await expect(container.getBlockBlobClient('none').getProperties()).rejects.toMatchObject({
        statusCode: 404,
        code: undefined,
        details: { errorCode: 'BlobNotFound' },
      });
    },
  );
});
