import type { FetchClipInput, FetchReelInput } from '../activities/media-activities';
import type { AssetOutcome } from '../contract/asset-types';

/** A reel or clip to generate and store: what the detail activity needs, and the record of a failure. */
type Reel = FetchReelInput['reel'];
type Clip = FetchClipInput['clip'];

export type GenerationTarget =
  | { kind: 'reel'; dest: string; testId: string; reel: Reel; hadRecord?: boolean }
  | { kind: 'clip'; dest: string; testId: string; sessionId: string; clip: Clip; hadRecord?: boolean };

export function generationFailure(target: GenerationTarget, reason: string): AssetOutcome {
  if (target.kind === 'reel') {
    const { reel } = target;
    return {
      kind: 'reel',
      testId: target.testId,
      reelId: reel.uuid,
      status: 'failed',
      reason,
      downloaded: false,
      source: { name: reel.name, lastUpdatedAtMs: reel.lastUpdatedAtMs },
    };
  }
  const { clip } = target;
  return {
    kind: 'clip',
    testId: target.testId,
    sessionId: target.sessionId,
    clipId: clip.uuid,
    status: 'failed',
    reason,
    downloaded: false,
    source: { name: clip.name },
  };
}

export function generationTargetId(target: GenerationTarget): string {
  return target.kind === 'reel' ? target.reel.uuid : target.clip.uuid;
}
