import { executeChild, upsertSearchAttributes } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { IngestSummary } from '../contract/asset-types';
import { ingestTestResult } from './ingest-test-result';
import { ingestTestResultInputSchema, type IngestTestResultInput } from '../contract/inputs';
import { parseInput } from './parse-input';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';
import { testWorkflowId } from '../contract/task-queues';
import { ingestionDetails, ingestionSummary } from './ui-metadata';

/**
 * What a `ut-media schedule` starts. Schedules suffix their workflow ids with a timestamp, so this
 * wrapper runs the real ingestion under its contract id `ut-media-test-<testId>`: `ingest` and
 * `status` find it, and a run already going (scheduled or manual) is left alone, not doubled.
 */
export async function scheduledIngest(input: IngestTestResultInput): Promise<IngestSummary | { skipped: string }> {
  const { testId, dest, only } = parseInput(ingestTestResultInputSchema, input, 'scheduledIngest');
  upsertSearchAttributes([{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }]);
  try {
    return await executeChild(ingestTestResult, {
      workflowId: testWorkflowId(testId),
      args: [input],
      priority: { fairnessKey: testId },
      typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: testId }],
      staticSummary: ingestionSummary(testId, dest, only),
      staticDetails: ingestionDetails({ testId, dest, only }),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { skipped: `${testWorkflowId(testId)} is already running` };
    throw err;
  }
}
