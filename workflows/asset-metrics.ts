import { metricMeter } from '@temporalio/workflow';
import type { AssetOutcome } from '../contract/asset-types';

export const ASSETS_METRIC = 'ut_media_assets_total';

/**
 * Counts a decided asset on the worker's metrics. The SDK drops workflow metrics while replaying,
 * so a workflow replayed after a worker restart or cache eviction does not count its outcomes again.
 */
export function countAssetOutcome(outcome: AssetOutcome): void {
  metricMeter
    .createCounter(ASSETS_METRIC, 'assets', 'Assets decided, by kind and state (stored, skipped, failed)')
    .add(1, { kind: outcome.kind, state: outcome.status });
}
