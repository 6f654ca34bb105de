import { manifestPath } from '../contract/asset-paths';
import type { ProgressSnapshot } from '../contract/asset-types';
import { ASSET_KINDS, SELECTION_OF_KIND, type AssetSelection } from '../contract/inputs';

/** What the Temporal UI and `temporal workflow describe` show for an ingestion (workflow-safe). */

export function ingestionSummary(testId: string, dest: string, only: readonly AssetSelection[] | undefined): string {
  return `ingest test ${testId} into ${dest} (${only?.length ? only.join(', ') : 'all kinds'})`;
}

export function ingestionDetails(input: { testId: string; dest: string; only?: readonly AssetSelection[]; sessionIds?: readonly string[] }): string {
  return [
    `**Test result** \`${input.testId}\``,
    `**Destination** \`${input.dest}\``,
    `**Kinds** ${input.only?.length ? input.only.join(', ') : ASSET_KINDS.join(', ')}`,
    input.sessionIds?.length ? `**Sessions** ${input.sessionIds.length} chosen` : '**Sessions** all',
    'Follow it with `ut-media status --test ' + input.testId + '`; the manifest lands at `' + manifestPath(input.testId) + '`.',
  ].join('\n\n');
}

/** The current details: where the run stands, kept up to date by the workflow. */
export function currentDetails(s: ProgressSnapshot): string {
  const rows = (Object.keys(s.assets) as Array<keyof ProgressSnapshot['assets']>).map((kind) => {
    const c = s.assets[kind];
    return `| ${SELECTION_OF_KIND[kind] ?? kind} | ${c.stored} | ${c.skipped} | ${c.failed} |`;
  });
  const total = s.sessions.total ? `${s.sessions.done}/${s.sessions.total}` : `${s.sessions.done}`;
  return [
    `**${s.phase}** · sessions ${total}${s.sessionsInFlight ? ` (${s.sessionsInFlight} in flight)` : ''} ` +
      `· run ${s.runs ?? 1} · reels ${s.reelsDone ? 'done' : 'in progress'}`,
    '',
    '| kind | stored | skipped | failed |',
    '|---|---|---|---|',
    ...rows,
    '',
    `API requests so far: ${s.apiRequests ?? 0} · downloaded ${(s.bytesDownloaded / 1048576).toFixed(1)} MiB`,
  ].join('\n');
}

/** One line for the run's memo, which `temporal workflow describe` prints (it does not print the current details). */
export function progressMemo(s: ProgressSnapshot): string {
  const total = (state: 'stored' | 'skipped' | 'failed') => Object.values(s.assets).reduce((n, c) => n + c[state], 0);
  return (
    `${s.phase} · sessions ${s.sessions.done}/${s.sessions.total || '?'} · stored ${total('stored')} ` +
    `· skipped ${total('skipped')} · failed ${total('failed')} · API requests ${s.apiRequests ?? 0}`
  );
}
