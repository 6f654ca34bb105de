import fs from 'node:fs';
import path from 'node:path';
import type { RunningDevServer } from '../../infra/temporal-dev-server';
import type { RunningFakeGcs } from './emulators/fake-gcs-server';
import type { RunningAzurite } from './emulators/azurite';
import type { RunningMotoServer } from './emulators/moto-server';

/** Runs even when tests failed: stops the servers and removes the bundle. */
export default async function globalTeardown(): Promise<void> {
  const harness = (globalThis as Record<string, unknown>).__utMediaHarness as
    { temporal: RunningDevServer; gcs: RunningFakeGcs; s3: RunningMotoServer; azurite: RunningAzurite; bundlePath: string } | undefined;
  if (!harness) return;
  await Promise.allSettled([harness.temporal.stop(), harness.gcs.stop(), harness.s3.stop(), harness.azurite.stop()]);
  fs.rmSync(path.dirname(harness.bundlePath), { recursive: true, force: true });
}
