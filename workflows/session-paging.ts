/** How the session list is paged, shared by the ingestion and its plan so both read the same pages. */

/** The API caps `offset` at 10000 and `limit` at 500. */
export const MAX_LIST_OFFSET = 10_000;
const MAX_PAGE_LIMIT = 500;

export const sessionPageLimit = (sessionsPerRun: number) => Math.min(MAX_PAGE_LIMIT, sessionsPerRun);

export interface PageStep {
  /** Offset of the next page (the server may apply a smaller page than asked: by what it returned). */
  next: number;
  /** False when the page did not move past `offset` though sessions remained (the list shifted or loops). */
  advanced: boolean;
  /** The list is read to its end. */
  last: boolean;
  /** Sessions remain but lie past the API's offset cap. */
  capped: boolean;
}

export function pageStep(offset: number, page: { offset: number; sessions: unknown[]; totalCount: number }): PageStep {
  const next = page.offset + page.sessions.length;
  const advanced = (page.offset >= offset && next > offset) || offset >= page.totalCount;
  const last = next >= page.totalCount || page.sessions.length === 0;
  return { next, advanced, last, capped: !last && next > MAX_LIST_OFFSET };
}
