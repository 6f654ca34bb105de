/** Environment variables through which the global set-up tells test files where the shared servers are. */
export const HARNESS_ENV = {
  temporalAddress: 'UT_TEST_TEMPORAL_ADDRESS',
  gcsUrl: 'UT_TEST_GCS_URL',
  s3Url: 'UT_TEST_S3_URL',
  workflowBundle: 'UT_TEST_WORKFLOW_BUNDLE',
  /** Azurite's connection string (the well-known development account). */
  azureConnectionString: 'UT_TEST_AZURE_CONNECTION_STRING',
} as const;

export function harnessValue(name: keyof typeof HARNESS_ENV): string {
  const value = process.env[HARNESS_ENV[name]];
  if (!value) throw new Error(`${HARNESS_ENV[name]} is not set: run the tests with \`npm test\` (jest's global set-up starts the servers)`);
  return value;
}
