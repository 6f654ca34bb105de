import { executeChild } from '@temporalio/workflow';
import type { IngestSummary } from '../contract/asset-types';
import { failureReason } from './failure-reason';
import { ingestTestResult } from './ingest-test-result';
import { ingestTestsInputSchema, type IngestTestsInput } from '../contract/inputs';
import { pruneLimitInput, pruneRefusals } from '../contract/withdrawals';
import { parseInput } from './parse-input';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';
import { testWorkflowId } from '../contract/task-queues';
import { ingestionDetails, ingestionSummary } from './ui-metadata';

/** One row per test: its summary, or why its run failed. */
export type TestRow = { testId: string; ok: boolean; summary?: IngestSummary; error?: string };

export interface IngestTestsSummary {
  tests: TestRow[];
  /** Tests whose run failed or that have a failed asset. */
  failedTests: number;
}

/**
 * Several tests in one run, for the Temporal UI and for embedding: one child `ingestTestResult`
 * per test under its usual id `ut-media-test-<testId>`, all at once, all inside the one API budget.
 * Each carries the fairness key `<testId>`, so while several tests have work the API queue shares
 * its dispatch between them instead of serving the first one's backlog first.
 */
export async function ingestTests(input: IngestTestsInput): Promise<IngestTestsSummary> {
  const params = parseInput(ingestTestsInputSchema, input, 'ingestTests');
  const tests = await Promise.all(
    params.testIds.map(async (testId): Promise<TestRow> => {
      try {
        const summary = await executeChild(ingestTestResult, {
          workflowId: testWorkflowId(testId),
          args: [
            {
              testId,
              dest: params.dest,
              only: params.only,
              refreshDetails: params.refreshDetails,
              ...(params.prune ? { prune: true, pruneMax: pruneLimitInput(params.pruneMax) } : {}),
              options: params.options,
            },
          ],
          priority: { fairnessKey: testId },
          typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }],
          staticSummary: ingestionSummary(testId, params.dest, params.only),
          staticDetails: ingestionDetails({ testId, dest: params.dest, only: params.only }),
        });
        return { testId, ok: summary.failed === 0 && pruneRefusals(summary.withdrawals).length === 0, summary };
      } catch (err) {
        return { testId, ok: false, error: failureReason(err) };
      }
    }),
  );
  return { tests, failedTests: tests.filter((t) => !t.ok).length };
}
