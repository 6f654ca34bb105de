/**
 * Removes anything secret from text that may reach a log, an error message or workflow history:
 * pre-signed query strings, bearer tokens, JWTs, client secrets. Used on every error we wrap.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/(X-Amz-[A-Za-z-]+=)[^&\s"'<>]+/gi, '$1[redacted]'],
  [/(Signature|Credential|Security-Token|sig|token|access_token|client_secret)=[^&\s"'<>]+/gi, '$1=[redacted]'],
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]'],
  // Any URL keeps scheme, host and path but loses its query: signed links live in the query.
  [/(https?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*/gi, '$1?[redacted]'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Every string inside a value (objects, arrays, errors) redacted; the shape kept, cycles cut. Used on
 * structured log fields, where redacting the serialized JSON text could break its escaping.
 */
export function redactDeep(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const fields = redactDeep({ ...value }, seen) as Record<string, unknown>;
    return { ...fields, type: value.name, message: redactSecrets(value.message), ...(value.stack ? { stack: redactSecrets(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, seen);
  return out;
}

/** A URL for messages: origin and path only. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '[unparseable url]';
  }
}
