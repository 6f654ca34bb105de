import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { describeRunFailure } from '../../cli/run-failure';

const activity = (type: string, cause: Error) => new ActivityFailure('Activity task failed', type, '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);
const failed = (cause?: Error) => new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);

/** A failed run's cause comes from its failure chain, followed by type; its exit code from the failure's type. */
describe('describeRunFailure', () => {
  test('an activity that failed: its name, then the type and message the API answer gave', () => {
    const err = failed(
      activity(
        'listSessionsPage',
        ApplicationFailure.nonRetryable('listSessions: response does not match the API description (sessions: expected array)', 'InvalidResponse'),
      ),
    );
    expect(describeRunFailure(err)).toEqual({
      code: 1,
      cause: 'activity listSessionsPage: InvalidResponse: listSessions: response does not match the API description (sessions: expected array)',
    });
  });

  test('through a child workflow; a configuration failure is exit 2', () => {
    const child = new ChildWorkflowFailure(
      'default',
      { workflowId: 'ut-media-plan-x-page-0', runId: 'r' },
      'planSessions',
      RetryState.NON_RETRYABLE_FAILURE,
      activity('findStoredAssets', ApplicationFailure.nonRetryable('gs://b is not available', 'DestinationUnavailable')),
    );
    expect(describeRunFailure(failed(child))).toEqual({
      code: 2,
      cause: 'child workflow planSessions (ut-media-plan-x-page-0): activity findStoredAssets: DestinationUnavailable: gs://b is not available',
    });
  });

  test('a type named only in a message decides nothing', () => {
    expect(describeRunFailure(failed(ApplicationFailure.nonRetryable('InvalidInput: not really', 'Error'))).code).toBe(1);
  });

  test('a timeout, a termination, no cause at all', () => {
    expect(describeRunFailure(failed(activity('fetchVideo', new TimeoutFailure(undefined, undefined, 'HEARTBEAT')))).cause).toBe(
      'activity fetchVideo: timed out (HEARTBEAT)',
    );
    expect(describeRunFailure(new WorkflowFailedError('stuck', new TerminatedFailure('stuck'), RetryState.NON_RETRYABLE_FAILURE)).cause).toBe(
      'terminated: stuck',
    );
    expect(describeRunFailure(failed())).toEqual({ code: 1, cause: 'Workflow execution failed' });
  });

  test('secrets in a message are redacted', () => {
    const cause = describeRunFailure(failed(ApplicationFailure.nonRetryable('GET https://cdn.example/v.mp4?X-Amz-Signature=abc failed', 'InvalidMedia'))).cause;
    expect(cause).not.toContain('abc');
  });
});
