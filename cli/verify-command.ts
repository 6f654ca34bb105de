import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { ChecksumTransform, ObjectNotFoundError } from '../storage';
import { isUuid } from '../contract/ids';
import { CliError, EXIT } from './exit-codes';
import { destinationOfFlag, readManifest } from './destination-reader';
import { printJsonOutcome } from './json-outcome';
import { manifestPath } from '../contract/asset-paths';
import { isArchived } from '../contract/manifest-types';

export interface VerifyFlags {
  test?: string;
  dest?: string;
  json?: boolean;
}

interface Problem {
  storagePath: string;
  problem: string;
}

/** `ut-media verify`: re-reads every stored object and checks size, md5 and crc32c against the manifest. */
export async function runVerify(flags: VerifyFlags): Promise<number> {
  if (!flags.test || !isUuid(flags.test)) throw new CliError('--test: testId must be a UUID like 3fa85f64-5717-4562-b3fc-2c963f66afa6', EXIT.usage);
  const destination = destinationOfFlag(flags.dest);
  const testId = flags.test.toLowerCase();
  const manifest = await readManifest(destination, testId);
  if (!manifest) throw new CliError(`no manifest at ${destination.objectUri(manifestPath(testId))}: nothing was ingested there yet`, EXIT.failed);

  const problems: Problem[] = [];
  let checked = 0;
  const root = `${destination.uri.replace(/\/+$/, '')}/`;
  for (const asset of manifest.assets) {
    // A withdrawn asset is still stored until pruned: it is checked too.
    if (!isArchived(asset)) continue;
    checked += 1;
    if (!asset.storagePath.startsWith(root)) {
      problems.push({ storagePath: asset.storagePath, problem: 'outside this destination' });
      continue;
    }
    const relativePath = asset.storagePath.slice(root.length);
    try {
      const sums = new ChecksumTransform({ relativePath });
      await pipeline(destination.readObject(relativePath), sums, new Writable({ write: (_c, _e, done) => done() }));
      const actual = sums.checksums;
      const diffs = (['bytes', 'md5', 'crc32c'] as const).filter((k) => actual[k] !== asset[k]).map((k) => `${k} ${actual[k]} (manifest: ${asset[k]})`);
      if (diffs.length) problems.push({ storagePath: asset.storagePath, problem: diffs.join(', ') });
    } catch (err) {
      problems.push({ storagePath: asset.storagePath, problem: err instanceof ObjectNotFoundError ? 'missing' : `unreadable: ${(err as Error).message}` });
    }
  }
  const code = problems.length ? EXIT.failed : EXIT.ok;
  if (flags.json) {
    const error = problems.length
      ? `${problems.length} of ${checked} stored objects differ from the manifest or are missing (each is in "problems")`
      : undefined;
    printJsonOutcome({ code, error }, { testId, checked, problems });
  } else {
    for (const p of problems) process.stdout.write(`DIFFERS ${p.storagePath}: ${p.problem}\n`);
    process.stdout.write(`${checked} stored objects checked, ${problems.length} differ or are missing\n`);
  }
  return code;
}
