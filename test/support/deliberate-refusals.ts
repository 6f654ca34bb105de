/**
 * The one list of answers the published description allows but ut-media deliberately refuses,
 * each with its reason. A refusal of a valid answer is a bug unless an entry here covers that
 * answer AND the client's message gives that entry's reason: being right for a wrong reason (a
 * format the description does not ask for) still counts as a bug.
 *
 * Not listed because the description already demands it: ids with `format: uuid` are UUIDs, so
 * the client's UUID check on them (they become object names) refuses no valid answer.
 */
import { isAboutAsked, SUBJECT_FIELDS, type AskedIds, type ClientOperation } from './published-operations';

export interface DeliberateRefusal {
  operation: ClientOperation;
  /** The answer field concerned, as the client's message names it. */
  field: string;
  /** Whether this answer falls under the refusal. */
  covers(answer: unknown, asked: AskedIds): boolean;
  /** What the client's message must say for the refusal to be this one. */
  message: RegExp;
  reason: string;
}

const PAGING_FIELDS = ['limit', 'offset', 'totalCount'] as const;
const pagingNumber = (answer: unknown, name: (typeof PAGING_FIELDS)[number]) =>
  (answer as { meta?: { pagination?: Record<string, unknown> } }).meta?.pagination?.[name];

export const DELIBERATE_REFUSALS: readonly DeliberateRefusal[] = [
  ...PAGING_FIELDS.map((name): DeliberateRefusal => ({
    operation: 'listSessions',
    field: `meta.pagination.${name}`,
    covers: (answer) => {
      const n = pagingNumber(answer, name);
      return typeof n === 'number' && (n < 0 || !Number.isSafeInteger(n));
    },
    message: new RegExp(`meta\\.pagination\\.${name} is .*ut-media needs a whole number`),
    reason: 'a fractional, negative or inexact (past 2^53) page size, offset or count cannot be meaningful: paging on it would skip or repeat sessions',
  })),
  ...Object.entries(SUBJECT_FIELDS).map(([operation, subject]): DeliberateRefusal => ({
    operation: operation as ClientOperation,
    field: subject!.field,
    covers: (answer, asked) => !isAboutAsked(operation as ClientOperation, answer, asked),
    message: /the answer is about another (test|session|highlight reel|clip)/,
    reason: 'an answer about another object than the one asked for must not be archived, or paged with, as the asked one',
  })),
];

/** The deliberate refusal that explains the client refusing `answer` with `message`, if one does. */
export function deliberateRefusalOf(operation: ClientOperation, answer: unknown, asked: AskedIds, message: string): DeliberateRefusal | undefined {
  return DELIBERATE_REFUSALS.find((r) => r.operation === operation && r.covers(answer, asked) && r.message.test(message));
}
