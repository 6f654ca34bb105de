import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface HistoryFigures {
  /** Executions (runs) the query found. */
  runs: number;
  /** Events in the longest history of any run. */
  maxEvents: number;
  workflowOfMaxEvents?: string;
  /** The largest history event, encoded: an upper bound of the largest payload any run carried. */
  maxEventBytes: number;
  eventTypeOfMaxBytes?: string;
}

/**
 * Walks the history of every run a visibility query finds (e.g. `UtTestId="…"`): how long the
 * longest history is and how big the biggest event is. Used by tests and `npm run bench -- --scale`.
 */
export async function measureHistories(client: Client, query: string): Promise<HistoryFigures> {
  const figures: HistoryFigures = { runs: 0, maxEvents: 0, maxEventBytes: 0 };
  for await (const execution of client.workflow.list({ query })) {
    figures.runs += 1;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events ?? [];
    if (events.length > figures.maxEvents) {
      figures.maxEvents = events.length;
      figures.workflowOfMaxEvents = `${execution.workflowId} (${execution.type})`;
    }
    for (const event of events) {
      const bytes = temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
      if (bytes > figures.maxEventBytes) {
        figures.maxEventBytes = bytes;
        figures.eventTypeOfMaxBytes = temporal.api.enums.v1.EventType[event.eventType ?? 0];
      }
    }
  }
  return figures;
}
