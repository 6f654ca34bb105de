import { UUID_PATTERN } from '../contract/ids';
import { z } from 'zod';
import { stricter } from './response-check';

/**
 * The Results API v2 responses we use, after the published OpenAPI description. Unknown fields are
 * kept out (zod strips them); required fields are required, so a changed API fails loudly.
 */
// Ids become object names: anything but a canonical UUID is refused here, as an invalid response.
const uuid = z.string().refine((v) => UUID_PATTERN.test(v), 'a UUID');

// The description types paging fields as `number`; a count or an offset that is fractional or
// negative cannot be paged with, so ut-media refuses it by name (a whole 25.0 is 25 in JSON).
const count = z.number().refine((n) => Number.isSafeInteger(n) && n >= 0, { message: 'a whole number ≥ 0 to page with', ...stricter('number') });

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

export const sessionSummarySchema = z.object({
  sessionId: uuid,
  audienceId: z.string().nullish(),
  status: z.string(),
  startTime: z.string(),
  finishTime: z.string().nullish(),
});

export const sessionListSchema = z.object({
  testId: uuid,
  sessions: z.array(sessionSummarySchema),
  meta: z.object({
    pagination: z.object({ limit: count, offset: count, totalCount: count }),
  }),
});
export type SessionList = z.output<typeof sessionListSchema>;

export const reelSchema = z.object({
  uuid,
  name: z.string(),
  durationMs: z.number(),
  lastUpdatedAtMs: z.number(),
  numClips: z.number(),
  areAllClipsInReel: z.boolean(),
});
export type Reel = z.output<typeof reelSchema>;

export const reelListSchema = z.object({ reels: z.array(reelSchema), studyWithClips: z.boolean() });
export type ReelList = z.output<typeof reelListSchema>;

const generationStatus = z.enum(['GENERATING', 'GENERATED', 'ERROR']);
export type GenerationStatus = z.output<typeof generationStatus>;

export const reelDetailSchema = z.object({ reelId: uuid, status: generationStatus, reelUrl: z.string().nullish() });
export const clipDetailSchema = z.object({ clipUuid: uuid, status: generationStatus, clipUrl: z.string().nullish() });

export const clipSchema = z.object({
  uuid,
  name: z.string(),
  description: z.string().nullish(),
  timeStartMs: z.number(),
  timeEndMs: z.number(),
  videoUuid: z.string(),
  hasAudio: z.boolean(),
  hasCamera: z.boolean(),
  layout: z.object({ mainStream: z.string(), pipPosition: z.string(), pipState: z.string() }).partial().optional(),
});
export type Clip = z.output<typeof clipSchema>;

export const clipListSchema = z.object({ studyUuid: z.string(), clips: z.array(clipSchema) });
export type ClipList = z.output<typeof clipListSchema>;

export const videoDownloadSchema = z.object({ videoUrl: z.string().min(1), sessionId: uuid, expiresAt: z.string() });

/**
 * Session details (v3) and QXscores are archived as the API answered them, so unknown fields are
 * kept (loose objects); the required fields are checked, and the ids must be the ones asked for.
 */
export const sessionDetailsSchema = z.looseObject({
  sessionId: uuid.nullable(),
  audienceId: z.string().nullable(),
  testPlanId: z.string().nullable(),
  sessionParticipant: z.looseObject({ participantId: z.string().nullable(), demographicsInfo: z.array(z.looseObject({})) }).nullable(),
  taskGroups: z.array(z.looseObject({ uuid: z.string(), type: z.string() })),
  tasks: z.array(z.looseObject({ uuid: z.string(), type: z.string() })),
});
export type SessionDetails = z.output<typeof sessionDetailsSchema>;

// testId has no format in the description: any string, then compared with the test asked for.
export const qxScoresSchema = z.looseObject({
  testId: z.string(),
  qxScores: z.array(z.looseObject({ taskGroupId: z.string(), label: z.string(), qxScore: z.number().nullable() })),
  meta: z.looseObject({ totalQxTasks: z.number(), completes: z.number() }),
});
export type QxScores = z.output<typeof qxScoresSchema>;
