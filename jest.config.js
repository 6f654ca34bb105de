/** One test run: one Temporal dev server, one fake-gcs-server, one moto S3 server and one Azurite, shared by every test file. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 120000,
  slowTestThreshold: 30,
  // The 2 GiB to s3:// (moto) measures +19..64 MiB of RSS growth depending on GC timing and machine
  // load, too close to its 64 MiB bound for the shared CI run: `npm run test:memory` runs it apart.
  testPathIgnorePatterns: process.env.UT_TEST_MEMORY ? [] : ['/node_modules/', 'storage-memory-s3'],
};
