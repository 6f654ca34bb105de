import { continueAsNew, executeChild, sleep } from '@temporalio/workflow';
import type { AssetOutcome, GenerationCheck } from '../contract/asset-types';
import { failureReason } from './failure-reason';
import { generationFailure, generationTargetId, type GenerationTarget } from './generation-target';
import type { RunOptions } from '../contract/inputs';
import { apiActivities } from './activity-proxies';
import { counted } from './api-request-count';
import { TEST_ID_SEARCH_ATTRIBUTE } from '../contract/search-attributes';
import { generationWorkflowId } from '../contract/task-queues';

/** Where a poll loop stands; carried into the child that takes a long wait over, and across its runs. */
export interface PollState {
  /** Generation attempts so far (an ERROR starts a new one). */
  attempts: number;
  /** Workflow time of the first check. */
  startedAtMs: number;
  delayMs: number;
  /** Workflow time the current generation attempt was first seen GENERATING. */
  attemptStartedAtMs?: number;
  /** Workflow time it was last seen GENERATING. */
  lastGeneratingAtMs?: number;
  /** Checks made by an `awaitGeneration` child so far (its runs included). */
  checks?: number;
  /** The last check came with the worker's advice on when to check again (so the next one is due, not a guess). */
  advised?: boolean;
}

/**
 * The durable poll of a reel or clip: each check is one detail request (the first starts the
 * generation); GENERATING waits on a workflow timer growing from pollInitialDelayMs to
 * pollMaxDelayMs; ERROR starts a new attempt at once, at most maxGenerationAttempts times; past
 * generationDeadlineMs the asset is failed. Timers survive worker and server restarts. After
 * `options.inlinePolls` checks, a child `awaitGeneration` takes the wait over, so a reel that
 * generates for hours does not grow the history of the workflow that asked for it.
 */
export async function pollGeneration(
  target: GenerationTarget,
  options: RunOptions,
  onGenerating: () => void = () => undefined,
  onRequests: (n: number) => void = () => undefined,
): Promise<AssetOutcome> {
  try {
    const result = await pollLoop(
      target,
      options,
      { attempts: 1, startedAtMs: Date.now(), delayMs: options.pollInitialDelayMs },
      options.inlinePolls,
      onGenerating,
      onRequests,
    );
    if ('outcome' in result) return result.outcome;
    const outcome = await executeChild(awaitGeneration, {
      workflowId: generationWorkflowId(generationTargetId(target)),
      args: [{ target, options, state: result.state }],
      staticSummary: `wait for generation of ${describeTarget(target)}`,
      typedSearchAttributes: [{ key: TEST_ID_SEARCH_ATTRIBUTE, value: target.testId }],
    });
    onRequests(outcome.generationChecks ?? 0);
    return outcome;
  } catch (err) {
    return generationFailure(target, failureReason(err));
  }
}

/** Child workflow of a long generation: polls, continuing as new every `options.pollsPerRun` checks. */
export async function awaitGeneration(input: { target: GenerationTarget; options: RunOptions; state: PollState }): Promise<AssetOutcome> {
  let checks = input.state.checks ?? 0;
  const result = await pollLoop(
    input.target,
    input.options,
    input.state,
    input.options.pollsPerRun,
    () => undefined,
    (n) => (checks += n),
  );
  if ('outcome' in result) return { ...result.outcome, generationChecks: checks };
  return continueAsNew<typeof awaitGeneration>({ ...input, state: { ...result.state, checks } });
}

const describeTarget = (target: GenerationTarget) => `${target.kind} ${generationTargetId(target)}`;

async function pollLoop(
  target: GenerationTarget,
  options: RunOptions,
  state: PollState,
  maxPolls: number,
  onGenerating: () => void,
  onRequests: (n: number) => void,
): Promise<{ outcome: AssetOutcome } | { state: PollState }> {
  const api = apiActivities(options);
  let { attempts, delayMs, attemptStartedAtMs, lastGeneratingAtMs, advised = false } = state;
  for (let polls = 0; polls < maxPolls; polls++) {
    // The request that starts a generation goes before others; a later check goes next only when it is due.
    const proxy = attemptStartedAtMs === undefined ? api.generationStart : advised ? api.generationCheckDue : api.generationCheckBlind;
    const generation = attemptStartedAtMs === undefined ? undefined : { startedAtMs: attemptStartedAtMs, lastGeneratingAtMs, askedAtMs: Date.now() };
    const summary = { summary: `${generation ? 'check' : 'start'} generation of ${describeTarget(target)}` };
    const result: GenerationCheck = await counted(
      () =>
        target.kind === 'reel'
          ? proxy.fetchReel.executeWithOptions(summary, [
              { dest: target.dest, testId: target.testId, reel: target.reel, hadRecord: target.hadRecord, generation },
            ])
          : proxy.fetchClip.executeWithOptions(summary, [
              { dest: target.dest, testId: target.testId, sessionId: target.sessionId, clip: target.clip, hadRecord: target.hadRecord, generation },
            ]),
      onRequests,
    );
    if (result.state === 'done') return { outcome: result.outcome };
    if (result.state === 'error') {
      if (attempts >= options.maxGenerationAttempts) return { outcome: generationFailure(target, `generation ended in ERROR ${attempts} times`) };
      attempts += 1;
      delayMs = options.pollInitialDelayMs;
      attemptStartedAtMs = undefined;
      lastGeneratingAtMs = undefined;
      advised = false;
      continue; // the next detail request starts a new attempt
    }
    onGenerating();
    attemptStartedAtMs ??= Date.now(); // workflow time: deterministic
    lastGeneratingAtMs = Date.now();
    const waited = Date.now() - state.startedAtMs;
    if (waited >= options.generationDeadlineMs) {
      return {
        outcome: generationFailure(
          target,
          `still generating after ${Math.round(waited / 1000)} s (deadline ${Math.round(options.generationDeadlineMs / 1000)} s)`,
        ),
      };
    }
    // The worker's learned estimate when it has one; else the growing backoff.
    const advice = result.checkAgainInMs;
    // Advice longer than pollMaxDelayMs is cut short: that check comes early, a guess like any other.
    advised = advice !== undefined && advice <= options.pollMaxDelayMs;
    const wait = advice !== undefined ? Math.min(Math.max(1, advice), options.pollMaxDelayMs) : delayMs;
    await sleep(Math.min(wait, Math.max(1, options.generationDeadlineMs - waited)), { summary: `wait for generation of ${describeTarget(target)}` });
    if (advice === undefined) delayMs = Math.min(delayMs * 2, options.pollMaxDelayMs);
  }
  return { state: { attempts, startedAtMs: state.startedAtMs, delayMs, attemptStartedAtMs, lastGeneratingAtMs, advised } };
}
