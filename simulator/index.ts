import type { AddressInfo } from 'node:net';
import { SimulatorContext } from './context';
import type { QxScores } from './qx-scores';
import { parseScenario, type Scenario, type ScenarioInput } from './scenario';
import type { SessionDetails } from './session-details';
import { createSimulatorServer } from './server';
import type { SimulatorStats } from './stats';
import { mediaKeyString, type MediaKey } from './world';

/**
 * The UserTesting Results API v2 simulator: a real HTTP server with a seeded world (tests,
 * sessions, clips, reels, transcripts, v3 session details, QXscores), the OAuth token endpoint, the rate limit, reel/clip
 * generation, S3-style pre-signed media links and injectable faults.
 */

export interface StartSimulatorOptions {
  /** @default {} (one demo test generated from seed 1) */
  scenario?: ScenarioInput;
  /** 0 = a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where signed links point (a proxy or CDN in front of this server); @default the server's own address */
  mediaBaseUrl?: string;
  /** Receives one line per request (method, path without query, status) and internal errors. */
  log?: (line: string) => void;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT (the API base; paths /api/v2/... and /api/v3/...) */
  baseUrl: string;
  /** `${baseUrl}/oauth2/default/v1/token` */
  tokenUrl: string;
  /** The fully resolved scenario (all ids, product types, sizes). */
  scenario: Scenario;
  /** A snapshot of what the simulator saw. */
  stats(): SimulatorStats;
  resetStats(): void;
  /** Size, md5 and crc32c (base64, as GCS reports them) of the object's current content. */
  expectedDigest(objectKey: MediaKey): { bytes: number; md5: string; crc32c: string };
  /** Changes a reel's lastUpdatedAtMs and so its content (bytes, digest); it must be generated again. */
  updateReel(testId: string, reelId: string, change: { lastUpdatedAtMs: number }): void;
  /**
   * Changes a session's details (v3): its first task's answer and, for an interaction session, its
   * QXscore, hence also its test's QXscores. Nothing else changes. Throws for an unknown session.
   */
  updateSessionDetails(sessionId: string): void;
  /** Sessions or reels leave the API: gone from their lists, 404 on their endpoints (throws for an unknown id). */
  withdraw(ids: string[]): void;
  /** Withdrawn sessions or reels come back as they were. */
  restore(ids: string[]): void;
  /** The JSON the server now answers for the session's details; undefined where it answers 404. */
  expectedSessionDetails(sessionId: string): SessionDetails | undefined;
  /** The JSON the server now answers for the test's QXscores; undefined where it answers 404. */
  expectedQxScores(testId: string): QxScores | undefined;
  close(): Promise<void>;
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const scenario = parseScenario(options.scenario);
  const ctx = new SimulatorContext(scenario, options.log);
  const server = createSimulatorServer(ctx);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  ctx.baseUrl = `http://${urlHost}:${port}`;
  ctx.mediaBaseUrl = options.mediaBaseUrl?.replace(/\/+$/, '');
  let closing: Promise<void> | undefined;

  return {
    baseUrl: ctx.baseUrl,
    tokenUrl: `${ctx.baseUrl}/oauth2/default/v1/token`,
    scenario,
    stats: () => ctx.stats.snapshot(),
    resetStats: () => ctx.stats.reset(),
    expectedDigest(objectKey) {
      const key = mediaKeyString(objectKey);
      const object = ctx.world.media(key);
      if (!object) throw new Error(`the scenario has no media object ${key}`);
      if (objectKey.kind === 'clip' && !ctx.world.clip(objectKey.sessionId, objectKey.clipId)) {
        throw new Error(`clip ${objectKey.clipId} is not in session ${objectKey.sessionId}`);
      }
      if (objectKey.kind === 'reel' && !ctx.world.reel(objectKey.testId, objectKey.reelId)) {
        throw new Error(`reel ${objectKey.reelId} is not in test ${objectKey.testId}`);
      }
      return { ...ctx.world.digest(object.content) };
    },
    updateReel(testId, reelId, change) {
      ctx.world.updateReel(testId, reelId, change.lastUpdatedAtMs);
      ctx.generation.reset(`reel:${reelId.toLowerCase()}`);
    },
    updateSessionDetails: (sessionId) => ctx.world.updateSessionDetails(sessionId),
    withdraw: (ids) => ctx.world.withdraw(ids),
    restore: (ids) => ctx.world.restore(ids),
    expectedSessionDetails: (sessionId) => ctx.world.sessionDetails(sessionId),
    expectedQxScores: (testId) => ctx.world.qxScores(testId),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export { generateScenario, type GenerateScenarioOptions, type ByteSize } from './scenario-generator';
export {
  scenarioSchema,
  parseScenario,
  faultsSchema,
  PRODUCT_TYPES,
  DEMO_CLIENT,
  type Scenario,
  type ScenarioInput,
  type ScenarioFaults,
  type SessionSpec,
  type ClipSpec,
  type ReelSpec,
  type TestSpec,
  type ProductType,
} from './scenario';
export type { SimulatorStats, ApiOperation, ApiCallRecord, TokenRequestRecord, MediaRecord } from './stats';
export type { MediaKey } from './world';
export { mediaKeyString } from './world';
export { expectedAssetStatuses, type ExpectedAssetStatus } from './expected-assets';
export {
  TASK_TYPES,
  type SessionDetails,
  type SessionParticipant,
  type DemographicInfo,
  type DemographicType,
  type TaskGroup,
  type Task,
  type TaskType,
  type TaskResponse,
  type TaskAnswer,
} from './session-details';
export type { QxScores, QxScoreItem } from './qx-scores';
