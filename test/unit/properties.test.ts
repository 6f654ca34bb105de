/**
 * Property-based tests (fast-check) of the three places hostile input meets the code: the redactor
 * (anything may be logged), the path builder (only UUIDs become object names, nothing escapes the
 * root) and the response schemas (any JSON is answered with data or a typed refusal, never a throw).
 */
import path from 'node:path';
import fc from 'fast-check';
import { checkRelativePath } from '../../storage/object-names';
import { redactDeep, redactSecrets } from '../../usertesting/redact';
import { clipListSchema, reelListSchema, sessionListSchema } from '../../usertesting/schemas';
import { assetObjectPath, clipPath, recordPath, reelPath, transcriptPath, videoPath } from '../../contract/asset-paths';

const RUNS = { numRuns: 300 };
/** A secret as the API issues them: long, URL-safe. */
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);
/** Surrounding text that may hold quotes, newlines, JSON and control characters. */
const noise = fc.string({ unit: 'binary', maxLength: 60 });

describe('redactor', () => {
  const carriers: Array<(s: string) => string> = [
    (s) => `https://bucket.s3.amazonaws.com/v.mp4?X-Amz-Algorithm=AWS4&X-Amz-Signature=${s}&X-Amz-Expires=900`,
    (s) => `Bearer ${s}`,
    (s) => `access_token=${s}`,
    (s) => `client_secret=${s}&grant_type=client_credentials`,
    (s) => `"https://cdn.example/clip.mp4?sig=${s}"`,
    (s) => JSON.stringify({ url: `https://h.example/a?token=${s}` }),
    (s) => `eyJhbGciOiJI.${s}.${s}`,
  ];

  test('no secret survives, in any carrier, inside any text', () => {
    fc.assert(
      fc.property(noise, secret, fc.integer({ min: 0, max: carriers.length - 1 }), noise, (before, s, which, after) => {
        const out = redactSecrets(`${before}${carriers[which]!(s)}${after}`);
        // The secret may also occur in the noise by chance; only the carrier's copy must go.
        expect(out.split(s).length - 1).toBeLessThanOrEqual(`${before}${after}`.split(s).length - 1);
      }),
      RUNS,
    );
  });

  test('never throws, is idempotent, and keeps the shape of any value', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (value) => {
        const once = redactDeep(value);
        expect(redactDeep(once)).toEqual(once);
        expect(() => JSON.stringify(once)).not.toThrow();
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => expect(redactSecrets(redactSecrets(text))).toBe(redactSecrets(text))),
      RUNS,
    );
  });
});

describe('path builder', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('../../etc/passwd', '..', '.', '', 'a/b', 'x\ny', '\u0000', '"quoted"'),
    fc.uuid(),
  );
  const root = '/srv/archive';

  test('only UUIDs become names; every built path is safe and stays under the root', () => {
    fc.assert(
      fc.property(
        anyText,
        anyText,
        anyText,
        fc.constantFrom('reel', 'clip', 'video', 'transcript') as fc.Arbitrary<'reel' | 'clip' | 'video' | 'transcript'>,
        (testId, sessionId, assetId, kind) => {
          let built: string[];
          try {
            built = [
              assetObjectPath({ kind, testId, sessionId, reelId: kind === 'reel' ? assetId : undefined, clipId: kind === 'clip' ? assetId : undefined }),
              recordPath({ kind, testId, sessionId, reelId: kind === 'reel' ? assetId : undefined, clipId: kind === 'clip' ? assetId : undefined }),
            ];
          } catch {
            return; // refused: fine
          }
          for (const p of built) {
            expect(checkRelativePath(p)).toBe(p);
            expect(p).toMatch(/^test_id=[0-9a-f-]{36}(\/|$)/);
            const resolved = path.resolve(root, ...p.split('/'));
            expect(resolved.startsWith(`${root}/`)).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  test('valid UUIDs in any case give one lower-case name', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.uuid(), (t, s, c) => {
        for (const p of [reelPath(t.toUpperCase(), c), videoPath(t, s.toUpperCase()), transcriptPath(t, s), clipPath(t, s, c.toUpperCase())])
          expect(p).toBe(p.toLowerCase());
      }),
      RUNS,
    );
  });

  test('checkRelativePath accepts nothing that could leave the root', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('..', '.', '', '/', '\\')), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const candidate = parts.join('/');
          let ok: string;
          try {
            ok = checkRelativePath(candidate);
          } catch {
            return;
          }
          expect(path.resolve(root, ...ok.split('/')).startsWith(`${root}/`)).toBe(true);
          // eslint-disable-next-line no-control-regex -- control characters are what must not get through
          expect(ok).not.toMatch(/[\u0000-\u001f\u007f\\]/);
        },
      ),
      RUNS,
    );
  });
});

describe('response schemas', () => {
  const schemas = { sessionListSchema, reelListSchema, clipListSchema };

  test('any JSON gets data or a refusal naming the place, never a throw', () => {
    fc.assert(
      fc.property(fc.json(), fc.constantFrom(...Object.values(schemas)), (text, schema) => {
        const result = schema.safeParse(JSON.parse(text));
        if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  test('a valid session page with extra fields parses; dropping or mistyping a field is refused naming it', () => {
    const session = fc.record({
      sessionId: fc.uuid(),
      status: fc.constantFrom('completed', 'in_progress'),
      startTime: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      finishTime: fc.option(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      extra: fc.anything(),
    });
    fc.assert(
      fc.property(fc.uuid(), fc.array(session, { maxLength: 5 }), fc.constantFrom('sessionId', 'status', 'startTime'), (testId, sessions, field) => {
        const page = { testId, sessions, meta: { pagination: { limit: 5, offset: 0, totalCount: sessions.length } }, unknownTopLevel: 1 };
        const parsed = sessionListSchema.safeParse(page);
        expect(parsed.success).toBe(true);
        if (!sessions.length) return;
        const broken = structuredClone(page) as { sessions: Array<Record<string, unknown>> };
        delete broken.sessions[0]![field];
        const refused = sessionListSchema.safeParse(broken);
        expect(refused.success).toBe(false);
        expect(refused.error!.issues[0]!.path).toEqual(['sessions', 0, field]);
        broken.sessions[0]![field] = 42;
        expect(sessionListSchema.safeParse(broken).error!.issues[0]!.path).toEqual(['sessions', 0, field]);
      }),
      RUNS,
    );
  });
});
