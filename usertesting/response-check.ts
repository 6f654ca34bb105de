import type { z } from 'zod';

/**
 * Where ut-media asks more of an answer than the published description does, the refinement
 * carries these params, so the message says so instead of blaming the description.
 */
export interface StricterThanDescribed {
  stricter: true;
  /** What the description says of the field, e.g. "number". */
  described: string;
}

export function stricter(described: string): { params: StricterThanDescribed } {
  return { params: { stricter: true, described } };
}

export type ResponseProblem = { kind: 'not-as-described'; field: string; message: string } | { kind: 'unusable'; field: string; message: string };

/**
 * Checks a parsed JSON body against a schema and says what is wrong in words a user can act on:
 * the field, the type of the value found (never the value: it failed validation and may be
 * anything) and what the description (or ut-media, where it is stricter) wants there.
 */
export function checkResponse<S extends z.ZodType>(schema: S, body: unknown): { ok: true; data: z.output<S> } | { ok: false; problem: ResponseProblem } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join('.') : '(the body)';
  const found = describeValue(valueAt(body, issue.path));
  const params = (issue as { params?: Partial<StricterThanDescribed> }).params;
  if (issue.code === 'custom' && params?.stricter) {
    return {
      ok: false,
      problem: {
        kind: 'unusable',
        field,
        message: `${field} is ${found}: the description allows any ${params.described}, but ut-media needs ${issue.message}`,
      },
    };
  }
  return { ok: false, problem: { kind: 'not-as-described', field, message: `${field} is ${found}, where the API description says ${wanted(issue)}` } };
}

function wanted(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `${article(issue.expected)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `a string of format ${issue.format}`;
    case 'too_small':
      return issue.origin === 'string' ? 'a non-empty string' : `at least ${String(issue.minimum)}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = body;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/** The type of a value as a user reads it; never the value itself. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length ? `an array of ${value.length}` : 'an empty array';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'a non-finite number';
    if (!Number.isInteger(value)) return value < 0 ? 'a negative fractional number' : 'a fractional number';
    return value < 0 ? 'a negative number' : 'a whole number';
  }
  if (typeof value === 'string') return value.length ? `a string of ${value.length} characters` : 'an empty string';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
