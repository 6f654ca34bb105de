/**
 * How long a request to the token endpoint, the Results API or a signed link waits for response
 * headers, and for each next body chunk: below the heartbeat timeout and the listing activities'
 * 1 min limit, so a server gone silent fails the request before its activity times out.
 */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
