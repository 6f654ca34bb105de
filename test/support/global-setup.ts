import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startTemporalDevServer } from '../../infra/temporal-dev-server';
import { startFakeGcsServer } from './emulators/fake-gcs-server';
import { startAzurite } from './emulators/azurite';
import { startMotoServer } from './emulators/moto-server';
import { HARNESS_ENV } from './harness-env';

/**
 * Starts the run's one Temporal dev server, one fake-gcs-server, one moto S3 server and one Azurite
 * (side by side), and bundles the workflows once.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const [temporal, gcs, s3, azurite, bundle] = await Promise.all([
    startTemporalDevServer({ preciseTimers: true }),
    startFakeGcsServer(),
    startMotoServer(),
    startAzurite(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows/index.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    }),
  ]);
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ut-media-test-')), 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  process.env[HARNESS_ENV.temporalAddress] = temporal.address;
  process.env[HARNESS_ENV.gcsUrl] = gcs.url;
  process.env[HARNESS_ENV.s3Url] = s3.url;
  process.env[HARNESS_ENV.workflowBundle] = bundlePath;
  process.env[HARNESS_ENV.azureConnectionString] = azurite.connectionString;
  (globalThis as Record<string, unknown>).__utMediaHarness = { temporal, gcs, s3, azurite, bundlePath };
  process.stderr.write(
    `\n[harness] Temporal ${temporal.address}, fake-gcs-server ${gcs.url}, moto ${s3.url}, ` +
      `Azurite ${azurite.blobEndpoint}, ready in ${Date.now() - started} ms\n`,
  );
}
