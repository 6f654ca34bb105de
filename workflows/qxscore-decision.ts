/** What the destination knows of a test's QXscores (the `findStoredQxScore` activity's answer). */
export interface StoredQxScore {
  stored: boolean;
  /** The session list's count when the stored QXscores were fetched. */
  sessionsListed?: number;
  /** The API answered 404 within the re-check age: not asked again. */
  knownAbsent: boolean;
  /** A record (skipped or failed earlier) that storing it makes obsolete. */
  recorded: boolean;
}

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
