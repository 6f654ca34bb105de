import { IllegalStateError, noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString, type MetricsExporterConfig } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { MetricsEndpoint } from '../config/settings';
import { BUDGET_WAIT_BUCKETS_SECONDS, METRIC_NAMES } from './metrics';

/**
 * Routes the Temporal SDK's own logs through our redacting logger and, when `metrics` is given,
 * serves Prometheus metrics (the SDK's and ours) on `http://host:port/metrics`. The runtime can be
 * installed only once per process and before the first worker; later calls keep the first one.
 * Returns the meter our own metrics go to: the runtime's when it exports, else a no-op.
 */
export function installRuntime(logger: Logger, metrics?: MetricsEndpoint): MetricMeter {
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
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
        ...(metrics ? { metrics: prometheusExporter(metrics) } : {}),
      },
    });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) {
      if (!metrics) throw err;
      throw new Error(`UT_METRICS_PORT: cannot serve metrics on ${bindAddress(metrics)}: ${(err as Error).message}`, { cause: err });
    }
    // Already installed (e.g. several embedded runs in one process): the first installation decides what is exported.
    if (metrics) logger.warn({ metrics: bindAddress(metrics) }, 'the Temporal runtime was installed earlier; metrics go where it exports them');
  }
  return metrics ? Runtime.instance().metricMeter : noopMetricMeter;
}

function prometheusExporter(endpoint: MetricsEndpoint): MetricsExporterConfig {
  return {
    prometheus: {
      bindAddress: bindAddress(endpoint),
      histogramBucketOverrides: { [METRIC_NAMES.budgetWait]: BUDGET_WAIT_BUCKETS_SECONDS },
    },
  };
}

function bindAddress({ host, port }: MetricsEndpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
