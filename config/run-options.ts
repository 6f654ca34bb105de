import type { IngestTestResultInput } from '../contract/inputs';
import type { Settings } from './settings';

/** The delays of the environment, as the `options` a workflow input carries (workflows cannot read env). */
export function runOptionsFromSettings(settings: Settings): NonNullable<IngestTestResultInput['options']> {
  return {
    pollInitialDelayMs: settings.pollInitialDelayMs,
    pollMaxDelayMs: settings.pollMaxDelayMs,
    generationDeadlineMs: settings.generationDeadlineMs,
    retryInitialIntervalMs: settings.retryInitialIntervalMs,
    heartbeatTimeoutMs: settings.heartbeatTimeoutMs,
    sessionsPerRun: settings.sessionsPerRun,
    absentRecheckMs: settings.absentRecheckMs,
  };
}
