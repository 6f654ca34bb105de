import { ObjectAlreadyExistsError, type Destination, type StoredObject } from '../storage';
import { LinkExpiredError, NotFoundError } from '../usertesting/errors';
import type { Clip, Reel } from '../usertesting/schemas';
import { openSignedMedia } from '../usertesting/signed-media';
import { LINK_LIFETIME_MS, linkUsableUntil, type Outage } from '../usertesting/link-retry';
import { clipPath, reelPath, transcriptPath, videoPath } from '../contract/asset-paths';
import type { AssetKind, AssetOutcome, GenerationCheck } from '../contract/asset-types';
import type { SessionSummary } from '../contract/inputs';
import { currentActivity, type TransferHeartbeat } from './activity-context';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { objectMetadata, type SourceFields } from './object-metadata';
import { recordAbsent, removeCutFields, storedOutcome, writeCutFields } from './asset-records';
import { checkContentType, checkedContent } from './content-check';
import { fitMetadata } from './metadata-limits';
import { GenerationTimes } from './generation-times';
import type { Readable } from 'node:stream';

/** Opens a body from a byte offset; told the bytes already written, for the heartbeats of a wait. */
type OpenBody = (
  from: number,
  context: { heartbeat: ReturnType<typeof currentActivity>['heartbeat']; outage?: Outage; signal?: AbortSignal; heartbeatEveryMs?: number },
) => Promise<OpenedBody>;

/** A body to store: `startsAt` > 0 when it carries only the bytes from that offset on. */
interface OpenedBody {
  stream: NodeJS.ReadableStream;
  startsAt?: number;
  totalBytes?: number;
  contentType: string;
}

type Identity = { kind: AssetKind; testId: string; sessionId?: string; reelId?: string; clipId?: string };

/** `hadRecord`: the asset has a record (skipped or failed earlier) that storing it now makes obsolete. */
/** A generation already under way: when the workflow first and last saw it GENERATING (epoch ms). */
/** Workflow times: the attempt's start, the last GENERATING answer, and when this check was asked for (it may wait for the budget). */
export interface GenerationUnderWay {
  startedAtMs: number;
  lastGeneratingAtMs?: number;
  askedAtMs?: number;
}
export interface FetchReelInput {
  dest: string;
  testId: string;
  reel: Reel;
  hadRecord?: boolean;
  generation?: GenerationUnderWay;
}
export interface FetchClipInput {
  dest: string;
  testId: string;
  sessionId: string;
  clip: Clip;
  hadRecord?: boolean;
  generation?: GenerationUnderWay;
}
export interface SessionAssetInput {
  dest: string;
  testId: string;
  sessionId: string;
  session?: SessionSummary;
  hadRecord?: boolean;
}

/**
 * Media activities: each makes at most one API request per attempt, and the activity that sees a
 * signed link streams it into the destination right there, so the link never leaves the process.
 */
export function createMediaActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  // Learned by this worker, shared by its activities.
  const generationTimes = new GenerationTimes();

  const stored = (destination: Destination, identity: Identity, object: StoredObject, downloaded: boolean, hadRecord?: boolean) =>
    storedOutcome(destination, identity, object.bytes, downloaded, hadRecord);

  const absent = (destination: Destination, identity: Identity, reason: string, source: SourceFields) =>
    recordAbsent(destination, identity, reason, source, now().toISOString());

  /**
   * Streams a body into `path`; a concurrent or earlier writer that got there first counts as stored.
   * `open(from)` opens the body at a byte offset when this activity takes over what a dead earlier
   * attempt left (0: nothing to take over, or the store cannot).
   */
  async function write(
    destination: Destination,
    path: string,
    identity: Identity,
    source: SourceFields,
    open: OpenBody,
    existing: StoredObject | undefined,
    hadRecord: boolean | undefined,
  ): Promise<AssetOutcome> {
    try {
      return await transfer(destination, path, identity, source, open, existing, hadRecord);
    } catch (err) {
      if (err instanceof LinkExpiredError) deps.metrics?.linkExpired(identity.kind);
      throw err;
    }
  }

  async function transfer(
    destination: Destination,
    path: string,
    identity: Identity,
    source: SourceFields,
    open: OpenBody,
    existing: StoredObject | undefined,
    hadRecord: boolean | undefined,
  ): Promise<AssetOutcome> {
    const activity = currentActivity();
    activity.heartbeat({ bytes: 0 });
    const work = activity.work;
    const kept = work ? await destination.prepareResume(path, work.key, work.attempt, work.idleMs) : undefined;
    const media = await open(kept?.bytes ?? 0, {
      heartbeat: activity.heartbeat,
      outage: activity.outage,
      signal: activity.signal,
      heartbeatEveryMs: activity.heartbeatEveryMs,
    });
    const startsAt = media.startsAt ?? 0;
    if (startsAt > 0) deps.logger?.info({ ...identity, path, resumedAt: startsAt }, 'taking over a transfer a dead attempt left');
    const expected = identity.kind === 'transcript' ? 'webvtt' : 'mp4';
    try {
      checkContentType(media.contentType, expected);
    } catch (err) {
      (media.stream as Readable).destroy?.();
      throw err;
    }
    const { metadata, cut } = fitMetadata(
      objectMetadata(identity, { ...source, sourceBytes: media.totalBytes }, now().toISOString()),
      destination.metadataBudgetBytes,
    );
    await writeCutFields(destination, identity, cut);
    // Progress counts from 0 and includes the bytes taken over: only those past `startsAt` are moved now.
    let counted = startsAt;
    const onProgress = (bytes: number) => {
      activity.heartbeat({ bytes });
      if (bytes > counted) deps.metrics?.bytesMoved(identity.kind, bytes - counted);
      counted = Math.max(counted, bytes);
    };
    try {
      // The head of a taken-over transfer was checked by the attempt that wrote it.
      const body = startsAt > 0 ? media.stream : checkedContent(media.stream, expected);
      const object = await destination.writeObject(path, body, {
        contentType: media.contentType,
        metadata,
        replace: existing,
        expectedBytes: media.totalBytes,
        onProgress,
        signal: activity.signal,
        resume: kept && { ...kept, bytes: startsAt },
      });
      deps.logger?.info({ ...identity, bytes: object.bytes, path }, 'stored');
      return await stored(destination, identity, object, true, hadRecord);
    } catch (err) {
      if (err instanceof ObjectAlreadyExistsError) {
        const current = await destination.stat(path);
        if (current?.metadataComplete) return stored(destination, identity, current, false, hadRecord);
      }
      // The full fields were written for an object that is not there: they must not outlive it.
      if (Object.keys(cut).length && !(await destination.stat(path).catch(() => 'unknown')))
        await removeCutFields(destination, identity).catch(() => undefined);
      throw err;
    }
  }

  /**
   * GENERATING / ERROR are reported to the workflow's poll loop (with when to check again, once this
   * worker has learned how long generations take); GENERATED is downloaded at once.
   */
  async function generated(
    destination: Destination,
    path: string,
    identity: Identity & { kind: 'reel' | 'clip' },
    source: SourceFields,
    state: { status: string; link?: string },
    existing: StoredObject | undefined,
    hadRecord: boolean | undefined,
    underWay: GenerationUnderWay | undefined,
  ): Promise<GenerationCheck> {
    const nowMs = now().getTime();
    const elapsedMs = underWay ? Math.max(0, nowMs - underWay.startedAtMs) : 0;
    if (state.status === 'ERROR') return { state: 'error' };
    // GENERATED without a link (the description makes the link nullable) is not downloadable yet: checked again like GENERATING.
    if (state.status === 'GENERATING' || !state.link) return { state: 'generating', checkAgainInMs: generationTimes.checkAgainInMs(identity.kind, elapsedMs) };
    if (underWay) {
      const queuedMs = underWay.askedAtMs === undefined ? 0 : Math.max(0, nowMs - underWay.askedAtMs);
      generationTimes.generated(identity.kind, elapsedMs, Math.max(0, (underWay.lastGeneratingAtMs ?? underWay.startedAtMs) - underWay.startedAtMs), queuedMs);
    }
    const link = state.link;
    const usableUntilMs = linkUsableUntil(now().getTime(), LINK_LIFETIME_MS[identity.kind]);
    const outcome = await write(
      destination,
      path,
      identity,
      source,
      (from, context) => openSignedMedia(link, deps.media, from, signedTransfer(usableUntilMs, from, context)),
      existing,
      hadRecord,
    );
    return { state: 'done', outcome };
  }

  return {
    async fetchReel(input: FetchReelInput): Promise<GenerationCheck> {
      return withFailureMapping(async () => {
        currentActivity().heartbeat({ bytes: 0 });
        const destination = deps.openDestination(input.dest);
        const path = reelPath(input.testId, input.reel.uuid);
        const identity = { kind: 'reel' as const, testId: input.testId, reelId: input.reel.uuid };
        const source = reelSource(input.reel);
        const existing = await destination.stat(path);
        if (existing?.metadataComplete && existing.metadata.lastUpdatedAtMs === String(input.reel.lastUpdatedAtMs)) {
          return { state: 'done', outcome: await stored(destination, identity, existing, false, input.hadRecord) };
        }
        const state = await deps.api.getReelDetail(input.testId, input.reel.uuid);
        return generated(destination, path, identity, source, state, existing, input.hadRecord, input.generation);
      });
    },

    async fetchClip(input: FetchClipInput): Promise<GenerationCheck> {
      return withFailureMapping(async () => {
        currentActivity().heartbeat({ bytes: 0 });
        const destination = deps.openDestination(input.dest);
        const path = clipPath(input.testId, input.sessionId, input.clip.uuid);
        const identity = { kind: 'clip' as const, testId: input.testId, sessionId: input.sessionId, clipId: input.clip.uuid };
        const existing = await destination.stat(path);
        if (existing?.metadataComplete) return { state: 'done', outcome: await stored(destination, identity, existing, false, input.hadRecord) };
        let state;
        try {
          state = await deps.api.getClipDetail(input.sessionId, input.clip.uuid);
        } catch (err) {
          if (err instanceof NotFoundError)
            return { state: 'done', outcome: await absent(destination, identity, 'the API no longer has this clip (404)', clipSource(input.clip)) };
          throw err;
        }
        return generated(destination, path, identity, clipSource(input.clip), state, existing, input.hadRecord, input.generation);
      });
    },

    /** The video link is requested just in time, right before streaming (it is valid 1 h). */
    async fetchVideo(input: SessionAssetInput): Promise<AssetOutcome> {
      return withFailureMapping(async () => {
        currentActivity().heartbeat({ bytes: 0 });
        const destination = deps.openDestination(input.dest);
        const path = videoPath(input.testId, input.sessionId);
        const identity: Identity = { kind: 'video', testId: input.testId, sessionId: input.sessionId };
        const source = sessionSource(input.session);
        const existing = await destination.stat(path);
        if (existing?.metadataComplete) return stored(destination, identity, existing, false, input.hadRecord);
        let link: string;
        let usableUntilMs: number;
        try {
          const answer = await deps.api.getVideoDownloadUrl(input.sessionId);
          link = answer.link;
          usableUntilMs = linkUsableUntil(now().getTime(), LINK_LIFETIME_MS.video, answer.expiresAt);
        } catch (err) {
          if (err instanceof NotFoundError) return absent(destination, identity, "no session video: the session's product type has none (404)", source);
          throw err;
        }
        return write(
          destination,
          path,
          identity,
          source,
          (from, context) => openSignedMedia(link, deps.media, from, signedTransfer(usableUntilMs, from, context)),
          existing,
          input.hadRecord,
        );
      });
    },

    async fetchTranscript(input: SessionAssetInput): Promise<AssetOutcome> {
      return withFailureMapping(async () => {
        currentActivity().heartbeat({ bytes: 0 });
        const destination = deps.openDestination(input.dest);
        const path = transcriptPath(input.testId, input.sessionId);
        const identity: Identity = { kind: 'transcript', testId: input.testId, sessionId: input.sessionId };
        const source = sessionSource(input.session);
        const existing = await destination.stat(path);
        if (existing?.metadataComplete) return stored(destination, identity, existing, false, input.hadRecord);
        let transcript;
        try {
          transcript = await deps.api.openTranscript(input.sessionId);
        } catch (err) {
          if (err instanceof NotFoundError) return absent(destination, identity, "no transcript: the session's product type has none (404)", source);
          throw err;
        }
        const opened = transcript;
        return write(
          destination,
          path,
          identity,
          source,
          async () => ({ stream: opened.body, contentType: 'text/vtt; charset=utf-8' }),
          existing,
          input.hadRecord,
        );
      });
    },
  };
}

/** A wait for the media host heartbeats with the outage, so the next attempt and `status` know of it. */
function signedTransfer(usableUntilMs: number, from: number, context: Parameters<OpenBody>[1]) {
  let latest: TransferHeartbeat = { bytes: from };
  const onOutage = (outage: Outage | undefined) => context.heartbeat((latest = { bytes: from, ...(outage && { outage }) }));
  // A wait may outlast the heartbeat timeout: it heartbeats the outage all along.
  const wait = async (ms: number, signal?: AbortSignal) => {
    const every = context.heartbeatEveryMs ?? ms;
    for (let end = Date.now() + ms, left = ms; left > 0; left = end - Date.now()) {
      await sleep(Math.min(every, left), undefined, { signal });
      context.heartbeat(latest);
    }
  };
  return { usableUntilMs, outage: context.outage, signal: context.signal, onOutage, wait };
}

export function reelSource(reel: Reel): SourceFields {
  return {
    name: reel.name,
    durationMs: reel.durationMs,
    lastUpdatedAtMs: reel.lastUpdatedAtMs,
    numClips: reel.numClips,
    areAllClipsInReel: reel.areAllClipsInReel,
  };
}

export function clipSource(clip: Clip): SourceFields {
  return {
    name: clip.name,
    description: clip.description ?? undefined,
    timeStartMs: clip.timeStartMs,
    timeEndMs: clip.timeEndMs,
    videoUuid: clip.videoUuid,
    hasAudio: clip.hasAudio,
    hasCamera: clip.hasCamera,
  };
}

export function sessionSource(session: SessionSummary | undefined): SourceFields {
  if (!session) return {};
  return {
    sessionStatus: session.status,
    startTime: session.startTime,
    finishTime: session.finishTime ?? undefined,
    audienceId: session.audienceId ?? undefined,
  };
}
