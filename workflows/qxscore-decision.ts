import type { StoredQxScore } from '../contract/asset-types';

/**
 * Whether a run asks for a test's QXscores, as the ingestion and the plan both decide it: not when
 * stored and the session list's count is the one they were computed from (unless refreshing), nor
 * when the API answered 404 within the re-check age (refreshing or not).
 */
export function decideQxScore(known: StoredQxScore, sessionsListed: number | undefined, refresh: boolean): 'stored' | 'knownAbsent' | 'fetch' {
  if (known.stored && !refresh && (sessionsListed === undefined || known.sessionsListed === sessionsListed)) return 'stored';
  if (known.knownAbsent) return 'knownAbsent';
  return 'fetch';
}
