import { executeChild, workflowInfo } from '@temporalio/workflow';
import { ingestSession, type IngestSessionInput } from 'ut-media/workflows';

// ingestSession hands a long generation to an `awaitGeneration` child on its own queue, so a host
// that runs it on the host's queue registers all of ut-media's workflows beside its own.
export * from 'ut-media/workflows';

export interface ArchivedSession {
  sessionId: string;
  assetsStored: number;
  bytesDownloaded: number;
  failed: number;
}

/** A host team's own workflow (the embedding test): one session archived by ut-media as a child. */
export async function archiveSession(input: IngestSessionInput): Promise<ArchivedSession> {
  const result = await executeChild(ingestSession, { workflowId: `${workflowInfo().workflowId}-session`, args: [input] });
  const assetsStored = Object.values(result.counts).reduce((n, byStatus) => n + byStatus.stored, 0);
  return { sessionId: result.sessionId, assetsStored, bytesDownloaded: result.bytesDownloaded, failed: result.failed };
}
