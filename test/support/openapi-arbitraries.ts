/**
 * OpenAPI 3.0 schema → fast-check arbitrary: any answer the published description allows, with
 * the edges a careful server could still send. Nulls where `nullable`, optional fields absent,
 * unknown fields added (the description never forbids them), numbers at their edges (0, -0,
 * fractions, beyond 2^53, the largest doubles) within `minimum`/`maximum`, empty and huge lists,
 * and any string (unicode, empty, very long, markup, `../`) where only `type: string` is given.
 * Formats: uuid (any case), date-time (RFC 3339), url (from the caller), WebVTT.
 */
import fc from 'fast-check';
import { UNDERSTOOD_KEYWORDS, type OpenApiSchema, type PublishedDescription } from './published-description';

export interface AnswerArbitraryOptions {
  /** Strings of `format: url`: links the test can answer itself. */
  url: fc.Arbitrary<string>;
}

interface Context {
  description: PublishedDescription;
  options: AnswerArbitraryOptions;
  /** Inside a huge list: no nested huge list and no very long string, so an answer stays a few MB. */
  inHugeList: boolean;
  at: string;
  /** Arbitraries already built, by schema and huge-list context: building them is what costs. */
  built: WeakMap<OpenApiSchema, Map<boolean, fc.Arbitrary<unknown>>>;
}

export function answerArbitrary(description: PublishedDescription, schema: OpenApiSchema, options: AnswerArbitraryOptions): fc.Arbitrary<unknown> {
  return arbitraryOf(schema, { description, options, inHugeList: false, at: '#', built: new WeakMap() });
}

/** Response headers from their schemas; Content-Length and Content-Type belong to the transport. */
export function headersArbitrary(headers: Record<string, OpenApiSchema>): fc.Arbitrary<Record<string, string>> {
  const model: Record<string, fc.Arbitrary<string>> = {};
  for (const [name, schema] of Object.entries(headers)) {
    if (/^content-(length|type)$/i.test(name)) continue;
    // An integer in digits even past 1e21, where String() would switch to exponent notation.
    if (schema.type === 'integer') model[name.toLowerCase()] = numberArbitrary(schema, true).map((n) => BigInt(n).toString());
    else if (schema.type === 'number') model[name.toLowerCase()] = numberArbitrary(schema, false).map((n) => String(n));
    else model[name.toLowerCase()] = headerText;
  }
  return fc.record(model, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
}

const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => s.trim());

function arbitraryOf(schema: OpenApiSchema, ctx: Context): fc.Arbitrary<unknown> {
  const known = ctx.built.get(schema)?.get(ctx.inHugeList);
  if (known) return known;
  const flat = flatten(schema, ctx);
  const base = nonNullArbitrary(flat, ctx);
  const arbitrary = flat.nullable ? fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: base }) : base;
  if (!ctx.built.has(schema)) ctx.built.set(schema, new Map());
  ctx.built.get(schema)!.set(ctx.inHugeList, arbitrary);
  return arbitrary;
}

function nonNullArbitrary(s: OpenApiSchema, ctx: Context): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum.filter((v) => v !== null));
  const choices = s.oneOf ?? s.anyOf;
  if (choices) return fc.oneof(...choices.map((c, i) => arbitraryOf(c, { ...ctx, at: `${ctx.at}/oneOf/${i}` })));
  switch (s.type) {
    case 'string':
      return stringArbitrary(s, ctx);
    case 'number':
    case 'integer':
      return numberArbitrary(s, s.type === 'integer');
    case 'boolean':
      return fc.boolean();
    case 'array':
      return arrayArbitrary(s, ctx);
    case 'object':
    case undefined:
      if (s.properties) return objectArbitrary(s, ctx);
      // A free-form object (`type: object` alone), or a schema that says nothing: any JSON.
      return s.type === 'object' ? fc.dictionary(fc.string({ maxLength: 12 }), smallJson) : fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`${ctx.at}: unsupported type ${String(s.type)}`);
  }
}

/** `$ref` followed and `allOf` merged into one schema; the schema's own `nullable` wins. */
function flatten(schema: OpenApiSchema, ctx: Context): OpenApiSchema {
  const s = ctx.description.resolve(schema);
  for (const key of Object.keys(s)) if (!UNDERSTOOD_KEYWORDS.has(key)) throw new Error(`${ctx.at}: unsupported keyword ${key}`);
  if (!s.allOf) return s;
  const { allOf, ...own } = s;
  const merged: OpenApiSchema = { ...own };
  for (const member of allOf.map((m) => flatten(m, ctx))) {
    merged.type ??= member.type;
    merged.format ??= member.format;
    merged.enum ??= member.enum;
    merged.items ??= member.items;
    merged.oneOf ??= member.oneOf;
    merged.anyOf ??= member.anyOf;
    if (member.properties) merged.properties = { ...merged.properties, ...member.properties };
    if (member.required) merged.required = [...(merged.required ?? []), ...member.required];
  }
  return merged;
}

function objectArbitrary(s: OpenApiSchema, ctx: Context): fc.Arbitrary<unknown> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(s.properties ?? {})) model[name] = arbitraryOf(property, { ...ctx, at: `${ctx.at}/${name}` });
  const declared = fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) });
  // Names no schema declares, so an extra field cannot make a oneOf branch match twice.
  const extraKey = fc
    .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'x-extra'))
    .filter((k) => !ctx.description.propertyNames.has(k));
  const extras = fc.option(fc.dictionary(extraKey, smallJson, { minKeys: 1, maxKeys: 3 }), { freq: 3, nil: undefined });
  // Object.entries/fromEntries keep a `__proto__` key as a plain own field, as JSON.parse makes it.
  return fc.tuple(declared, extras).map(([fields, extra]) => Object.fromEntries([...Object.entries(fields), ...Object.entries(extra ?? {})]));
}

const smallJson = fc.jsonValue({ maxDepth: 2 });

function arrayArbitrary(s: OpenApiSchema, ctx: Context): fc.Arbitrary<unknown[]> {
  if (!s.items) throw new Error(`${ctx.at}: an array without items`);
  const item = arbitraryOf(s.items, { ...ctx, at: `${ctx.at}/items` });
  const choices: Array<fc.WeightedArbitrary<unknown[]>> = [
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 6, arbitrary: fc.array(item, { minLength: 1, maxLength: 4 }) },
  ];
  if (!ctx.inHugeList) {
    // Thousands of items: a few generated ones repeated, which costs a parser the same.
    const hugeItem = arbitraryOf(s.items, { ...ctx, inHugeList: true, at: `${ctx.at}/items` });
    const huge = fc
      .tuple(fc.array(hugeItem, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1000, max: 1200 }))
      .map(([few, n]) => Array.from({ length: n }, (_, i) => few[i % few.length]));
    choices.push({ weight: 1, arbitrary: huge });
  }
  return fc.oneof(...choices);
}

/** Numbers every JSON parser must take: no NaN or Infinity, which JSON cannot carry. */
const NUMBER_EDGES = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1e-7,
  Number.MIN_VALUE,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

export function numberArbitrary(s: OpenApiSchema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? -Number.MAX_VALUE;
  const max = s.maximum ?? Number.MAX_VALUE;
  const fits = (n: number) => n >= min && n <= max && (!integer || Number.isInteger(n));
  const edges = [...NUMBER_EDGES, min, max].filter(fits);
  const near = (n: number) => Math.min(max, Math.max(min, n));
  const small = integer
    ? fc.integer({ min: Math.ceil(near(-1000)), max: Math.floor(near(1000)) })
    : fc.double({ min: near(-1000), max: near(1000), noNaN: true });
  const anywhere = integer ? fc.maxSafeInteger().filter(fits) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(fc.constantFrom(...edges), small, anywhere);
}

function stringArbitrary(s: OpenApiSchema, ctx: Context): fc.Arbitrary<string> {
  switch (s.format) {
    case undefined:
      return anyString(ctx.inHugeList);
    case 'uuid':
      return anyCaseUuid;
    case 'date-time':
      return dateTime;
    case 'url':
      return ctx.options.url;
    case 'WebVTT':
      return webVtt;
    default:
      throw new Error(`${ctx.at}: unsupported format ${s.format}`);
  }
}

/** Text a server may send in a free string: empty, markup, paths, controls, bidi overrides, lone surrogates. */
const AWKWARD_STRINGS = [
  '',
  ' ',
  '../',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/absolute/path',
  'a/b/c',
  '<script>alert(1)</script>',
  '<b>bold</b> &amp; "double" \'single\'',
  '%2e%2e%2f',
  '\u0000',
  '\r\n',
  '\u202egnp.exe',
  'Zoë 😀 👩‍👩‍👧',
  '\uD800',
  'null',
  '{"json":true}',
  'WEBVTT',
  'https://example.invalid/x?X-Amz-Signature=abc',
];

export const anyString = (inHugeList = false): fc.Arbitrary<string> => (inHugeList ? shortAnyString : longAnyString);

function anyStringOf(inHugeList: boolean): fc.Arbitrary<string> {
  const choices: Array<fc.Arbitrary<string>> = [
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom(...AWKWARD_STRINGS),
  ];
  if (!inHugeList) {
    const long = fc
      .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), fc.integer({ min: 2_000, max: 70_000 }))
      .map(([unit, n]) => unit.repeat(Math.ceil(n / unit.length)));
    choices.push(long);
  }
  return fc.oneof(...choices);
}
const shortAnyString = anyStringOf(true);
const longAnyString = anyStringOf(false);

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Any textual UUID, in lower, upper or mixed case (the description does not fix the case). */
export const anyCaseUuid: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.constantFrom(NIL_UUID, MAX_UUID) }),
    fc.constantFrom('lower', 'upper', 'mixed'),
    fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
  )
  .map(([uuid, kind, upper]) => {
    if (kind === 'lower') return uuid.toLowerCase();
    if (kind === 'upper') return uuid.toUpperCase();
    return [...uuid].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('');
  });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 date-times from year 1 to 9999: UTC with or without fractions, or with an offset. */
export const dateTime: fc.Arbitrary<string> = fc
  .tuple(
    fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T23:59:59.999Z'), noInvalidDate: true }),
    fc.constantFrom('millis', 'seconds', 'micros', 'offset'),
    fc.integer({ min: -12 * 60, max: 14 * 60 }),
  )
  .map(([date, style, offsetMinutes]) => {
    const iso = date.toISOString();
    if (style === 'millis') return iso;
    if (style === 'seconds') return `${iso.slice(0, 19)}Z`;
    if (style === 'micros') return `${iso.slice(0, 23)}456Z`;
    const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
    const abs = Math.abs(offsetMinutes);
    return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  });

const vttTime = fc
  .integer({ min: 0, max: 99 * 3_600_000 })
  .map((ms) => `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`);
/** One line of cue text: anything but a line break or the cue arrow, and not blank (a blank line ends the cue). */
const vttLine = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .map((s) => s.replace(/[\r\n]/g, ' ').replace(/-->/g, '->'))
  .filter((s) => s.trim() !== '');

/** A WebVTT file: the signature (maybe after a BOM, maybe with header text) and any cues. */
export const webVtt: fc.Arbitrary<string> = fc
  .tuple(
    fc.boolean(),
    fc.option(vttLine, { nil: undefined }),
    fc.constantFrom('\n', '\r\n'),
    fc.array(fc.tuple(fc.option(vttLine, { nil: undefined }), vttTime, vttTime, fc.array(vttLine, { minLength: 1, maxLength: 3 })), { maxLength: 6 }),
  )
  .map(([bom, header, eol, cues]) => {
    const head = `${bom ? '\uFEFF' : ''}WEBVTT${header ? ` ${header}` : ''}`;
    const blocks = cues.map(([id, a, b, lines]) => [...(id ? [id] : []), `${a < b ? a : b} --> ${a < b ? b : a}`, ...lines].join(eol));
    return [head, ...blocks].join(eol + eol) + eol;
  });
