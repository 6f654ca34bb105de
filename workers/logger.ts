import pino, { type Logger } from 'pino';
import { redactDeep, redactSecrets } from '../usertesting/redact';

/**
 * Structured logs on stderr. Known secret-bearing fields are censored by path, and every message
 * string passes through redactSecrets, so a signed link or token cannot slip into a log line.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { service: 'ut-media' },
      redact: {
        paths: [
          'token',
          'accessToken',
          'link',
          'url',
          'videoUrl',
          'clipUrl',
          'reelUrl',
          'clientSecret',
          'authorization',
          '*.token',
          '*.link',
          '*.url',
          '*.authorization',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
    },
    typeof (destination as { fd?: unknown }).fd === 'number'
      ? pino.destination({ dest: (destination as unknown as { fd: number }).fd, sync: false })
      : destination,
  );
}
