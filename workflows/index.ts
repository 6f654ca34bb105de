// The workflow entry module bundled for workers: every workflow the project registers.
export { ingestTestResult } from './ingest-test-result';
export { ingestTests } from './ingest-tests';
export { ingestSession } from './ingest-session';
export { ingestReels } from './ingest-reels';
export { awaitGeneration } from './generation-poll';
export { scheduledIngest } from './scheduled-ingest';
export { planTestResult, planSessions } from './plan-test-result';
