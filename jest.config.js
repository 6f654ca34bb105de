/**
 * Two projects, so servers stay out of the tests that need none (`npm test` runs both, each file once):
 * - fast: unit tests and workflow tests on @temporalio/testing's time-skipping server with stubbed
 *   activities; no global set-up, no build (`npm run test:fast`, well under a minute).
 * - servers: integration and end-to-end tests against one Temporal dev server, one fake-gcs-server,
 *   one moto S3 server and one Azurite, shared by every file of the run and started by the global
 *   set-up only when a test of this project is selected; they run the built CLI (dist/).
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  slowTestThreshold: 30,
};

module.exports = {
  maxWorkers: 2,
  // A run-wide option: jest does not take it from a project.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'fast',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/workflows/**/*.test.ts'],
      slowTestThreshold: 10,
    },
    {
      ...common,
      displayName: 'servers',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
