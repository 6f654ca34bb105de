import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Routes the Temporal SDK's own logs through our redacting logger. The runtime can be installed
 * only once per process and before the first worker; later calls are ignored.
 */
export function installRuntime(logger: Logger): void {
  try {
    Runtime.install({
      logger: {
        log: (level, message, meta) => logger[level.toLowerCase() as 'info'](meta ?? {}, message),
        trace: (m, meta) => logger.trace(meta ?? {}, m),
        debug: (m, meta) => logger.debug(meta ?? {}, m),
        info: (m, meta) => logger.info(meta ?? {}, m),
        warn: (m, meta) => logger.warn(meta ?? {}, m),
        error: (m, meta) => logger.error(meta ?? {}, m),
      },
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
    });
  } catch {
    // already installed (e.g. several embedded runs in one process)
  }
}
