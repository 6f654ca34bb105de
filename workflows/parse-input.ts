import { FAILURE_TYPE } from '../contract/failure-types';
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeIssues } from '../contract/inputs';

/** Validates a workflow input; a bad one fails the run at once (not retried) saying what is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, workflow: string): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid ${workflow} input: ${describeIssues(parsed.error)}`, FAILURE_TYPE.InvalidInput);
  }
  return parsed.data;
}
