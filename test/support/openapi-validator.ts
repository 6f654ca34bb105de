/**
 * Checks a value against an OpenAPI 3.0 schema of the published description and names every
 * place it breaks it. Written here rather than taken from a JSON-schema library because OpenAPI 3.0
 * is not JSON Schema: `nullable` (also beside `allOf`/`oneOf`, as NestJS emits it) and the formats
 * `url` and `WebVTT` would need adapting anyway, and the description uses only a few keywords.
 */
import { UNDERSTOOD_KEYWORDS, type OpenApiSchema, type PublishedDescription } from './published-description';

/** Each problem as `<path>: <what is wrong>`; empty when the value conforms. */
export function conformanceProblems(description: PublishedDescription, schema: OpenApiSchema, value: unknown, at = '$'): string[] {
  const s = description.resolve(schema);
  for (const key of Object.keys(s)) if (!UNDERSTOOD_KEYWORDS.has(key)) return [`${at}: the schema has a keyword this validator does not know (${key})`];
  if (value === null) return s.nullable ? [] : [`${at}: null where the description does not allow it`];
  const problems: string[] = [];
  const check = (sub: OpenApiSchema, v: unknown, path: string) => problems.push(...conformanceProblems(description, sub, v, path));

  for (const member of s.allOf ?? []) check(member, value, at);
  if (s.oneOf) {
    const matching = s.oneOf.filter((branch) => conformanceProblems(description, branch, value, at).length === 0).length;
    if (matching !== 1) problems.push(`${at}: matches ${matching} of the ${s.oneOf.length} oneOf branches, not exactly one`);
  }
  if (s.anyOf && !s.anyOf.some((branch) => conformanceProblems(description, branch, value, at).length === 0))
    problems.push(`${at}: matches none of the anyOf branches`);
  if (s.enum && !s.enum.includes(value)) problems.push(`${at}: ${brief(value)} is not one of ${s.enum.join(', ')}`);

  const type = s.type ?? (s.properties ? 'object' : undefined);
  if (type && !hasType(value, type)) return [...problems, `${at}: expected ${type}, got ${brief(value)}`];
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) problems.push(`${at}: ${value} is below the minimum ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) problems.push(`${at}: ${value} is above the maximum ${s.maximum}`);
  }
  if (typeof value === 'string' && s.format) {
    const problem = formatProblem(s.format, value);
    if (problem) problems.push(`${at}: ${problem}`);
  }
  if (Array.isArray(value) && s.items) value.forEach((item, i) => check(s.items!, item, `${at}[${i}]`));
  if (type === 'object' && s.properties) {
    const fields = value as Record<string, unknown>;
    for (const name of s.required ?? []) if (!Object.prototype.hasOwnProperty.call(fields, name)) problems.push(`${at}.${name}: required but absent`);
    for (const [name, property] of Object.entries(s.properties)) {
      if (Object.prototype.hasOwnProperty.call(fields, name)) check(property, fields[name], `${at}.${name}`);
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function formatProblem(format: string, value: string): string | undefined {
  switch (format) {
    case 'uuid':
      return UUID.test(value) ? undefined : `${brief(value)} is not a UUID`;
    case 'date-time':
      return RFC3339.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : `${brief(value)} is not an RFC 3339 date-time`;
    case 'url':
      return /^https?:$/.test(safeUrl(value)?.protocol ?? '') ? undefined : `${brief(value)} is not an http(s) URL`;
    case 'WebVTT':
      return /^\uFEFF?WEBVTT(?:[ \t\r\n]|$)/.test(value) ? undefined : `${brief(value)} does not start with the WEBVTT signature`;
    default:
      return `the description's format ${format} is unknown to this validator`;
  }
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A value for a message: short, one line. */
export function brief(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : Object.is(value, -0) ? '-0' : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
