/**
 * What the simulator saw, for tests and the bench: every Results API call (/api/v2 and /api/v3), every token request and
 * every media transfer. Entries never hold tokens, secrets or link signatures.
 */

export type ApiOperation =
  'listSessions' | 'listReels' | 'reelDetail' | 'listClips' | 'clipDetail' | 'videoDownloadUrl' | 'transcript' | 'sessionDetails' | 'qxScores' | 'unknown';

export interface ApiCallRecord {
  /** epoch ms when the request arrived */
  at: number;
  clientId?: string;
  operation: ApiOperation;
  status: number;
  /** The test the request is about, when the path or query names it (directly or by a session). */
  testId?: string;
  /** Which fault shaped this answer: 'serverError', 'rateLimitBurst', 'revokeToken', 'generationErrorOnce', 'alwaysError'. */
  faultInjected?: string;
}

export interface TokenRequestRecord {
  at: number;
  clientId?: string;
  status: number;
}

export interface MediaRecord {
  /** epoch ms when the request arrived (the entry is added when the response ends) */
  at: number;
  /** e.g. 'video:<sessionId>', 'clip:<clipUuid>', 'reel:<reelId>'; '' if the path names no object */
  key: string;
  method: 'GET' | 'HEAD';
  status: number;
  rangeStart?: number;
  rangeEnd?: number;
  /** body bytes of the object actually written to the socket */
  bytesSent: number;
  /** the response ended normally (false: cut by a fault, the client went away, or the server closed) */
  completed: boolean;
  /** 'linkExpiredOnFirstUse' or 'cutBodyOnce' */
  faultInjected?: string;
}

export interface SimulatorStats {
  calls: ApiCallRecord[];
  tokenRequests: TokenRequestRecord[];
  media: MediaRecord[];
  /** Media responses still being sent (bytesSent so far), e.g. to interrupt a transfer mid-way. */
  mediaInProgress: MediaRecord[];
}

export class StatsRecorder {
  private data: Omit<SimulatorStats, 'mediaInProgress'> = { calls: [], tokenRequests: [], media: [] };
  private readonly inProgress = new Set<MediaRecord>();

  mediaStarted(entry: MediaRecord): void {
    this.inProgress.add(entry);
  }

  call(entry: ApiCallRecord): void {
    this.data.calls.push(entry);
  }

  token(entry: TokenRequestRecord): void {
    this.data.tokenRequests.push(entry);
  }

  media(entry: MediaRecord): void {
    this.inProgress.delete(entry);
    this.data.media.push(entry);
  }

  /** A deep copy: later requests do not change it. */
  snapshot(): SimulatorStats {
    return {
      calls: this.data.calls.map((e) => ({ ...e })),
      tokenRequests: this.data.tokenRequests.map((e) => ({ ...e })),
      media: this.data.media.map((e) => ({ ...e })),
      mediaInProgress: [...this.inProgress].map((e) => ({ ...e })),
    };
  }

  reset(): void {
    this.data = { calls: [], tokenRequests: [], media: [] };
  }
}
