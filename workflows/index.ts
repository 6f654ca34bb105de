/**
 * The workflow entry: bundled for ut-media's workers, and `ut-media/workflows` for a host's workflow
 * code. Only workflows, query definitions and types: the worker takes every exported function for a
 * workflow type, and nothing here may pull in Node I/O.
 */
export { ingestTestResult } from './ingest-test-result';
export { ingestTests } from './ingest-tests';
export { ingestSession } from './ingest-session';
export { ingestReels } from './ingest-reels';
export { awaitGeneration } from './generation-poll';
export { scheduledIngest } from './scheduled-ingest';
export { planTestResult, planSessions } from './plan-test-result';
export { progressQuery } from '../contract/progress-query';

export type { IngestTestResultInput, IngestTestsInput, IngestSessionInput, RunOptions, AssetSelection } from '../contract/inputs';
export type { IngestReelsInput } from './ingest-reels';
export type { IngestTestsSummary, TestRow } from './ingest-tests';
export type {
  IngestSummary,
  SessionResult,
  RunTally,
  AssetCounts,
  AssetKind,
  AssetStatus,
  FailureSample,
  ProgressSnapshot,
  ProgressState,
} from '../contract/asset-types';
export type { PlanTestResultInput } from './plan-test-result';
export type { TestPlan, KindPlan, RequestPlan } from '../contract/plan-types';
