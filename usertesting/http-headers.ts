/** Reading the response headers the API and signed links send. */
type HeaderValue = string | string[] | undefined;

export function stringHeader(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A non-negative number (seconds may be fractional), or undefined when absent or not a number. */
export function numberHeader(value: HeaderValue): number | undefined {
  const text = stringHeader(value);
  const n = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `Content-Range: bytes <start>-<end>/<total|*>` → its start and, when given, the whole size. */
export function contentRange(value: HeaderValue): { start: number; total?: number } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(stringHeader(value) ?? '');
  return match ? { start: Number(match[1]), total: match[2] === '*' ? undefined : Number(match[2]) } : undefined;
}
