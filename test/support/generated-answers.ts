/**
 * One generated exchange per run: the ids a call asks about, an answer the published description
 * allows for that operation (mostly about the asked thing, sometimes about another one, in any
 * case), its headers, and the answer as the scripted server sends it.
 */
import fc from 'fast-check';
import { answerArbitrary, headersArbitrary } from './openapi-arbitraries';
import { mediaLinkArbitrary } from './media-links';
import type { PublishedDescription } from './published-description';
import { publishedOperation, SUBJECT_FIELDS, type AskedIds, type ClientOperation } from './published-operations';
import { jsonText, type ScriptedAnswer } from './scripted-api-server';

export interface GeneratedExchange {
  operation: ClientOperation;
  asked: AskedIds & { offset: number; limit: number };
  answer: unknown;
  scripted: ScriptedAnswer;
}

const lowerUuid = fc.uuid().map((u) => u.toLowerCase());

export function generatedExchangeArbitrary(
  description: PublishedDescription,
  operation: ClientOperation,
  mediaBaseUrl: string,
): fc.Arbitrary<GeneratedExchange> {
  const op = publishedOperation(description, operation);
  const asked = fc.record({
    testId: lowerUuid,
    sessionId: lowerUuid,
    reelId: lowerUuid,
    clipId: lowerUuid,
    offset: fc.integer({ min: 0, max: 10_000 }),
    limit: fc.integer({ min: 1, max: 500 }),
  });
  const answer = answerArbitrary(description, op.ok.schema, { url: mediaLinkArbitrary(mediaBaseUrl) });
  // Four in five answers are about the asked thing, named in upper or lower case.
  const aboutAsked = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('lower', 'upper') }, { weight: 1, arbitrary: fc.constant(undefined) });
  return fc.tuple(asked, answer, headersArbitrary(op.ok.headers), aboutAsked).map(([ids, generated, headers, naming]) => {
    const subject = SUBJECT_FIELDS[operation];
    let answered = generated;
    if (subject && naming && (generated as Record<string, unknown>)[subject.field] !== null) {
      const id = ids[subject.asked];
      // A copy: fast-check may hand the generated value to another run while shrinking.
      answered = Object.fromEntries([...Object.entries(generated as object), [subject.field, naming === 'upper' ? id.toUpperCase() : id]]);
    }
    const json = op.ok.contentType === 'application/json';
    return {
      operation,
      asked: ids,
      answer: answered,
      scripted: { status: 200, contentType: `${op.ok.contentType}; charset=utf-8`, body: json ? jsonText(answered) : String(answered), headers },
    };
  });
}
