import type { ParticipantDetails, QxScoreRow } from './page-model';

/** What the page shows of `session.json` (v3 session details) and `qxscore.json`: read defensively, anything absent left out. */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const numOrNull = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** A task answer as one line: the values of its one type-named object, nested ones as `key: value`. */
export function answerText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(answerText).filter(Boolean).join(', ');
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 1 && isObject(entries[0][1])) return answerText(entries[0][1]);
    return entries
      .map(([k, v]) => (isObject(v) || Array.isArray(v) ? `${k}: ${answerText(v)}` : entries.length === 1 ? answerText(v) : `${k}: ${answerText(v)}`))
      .join('; ');
  }
  return String(value);
}

export function participantDetails(details: unknown): ParticipantDetails {
  const root = isObject(details) ? details : {};
  const participant = isObject(root.sessionParticipant) ? root.sessionParticipant : {};
  const demographics: ParticipantDetails['demographics'] = [];
  for (const item of list(participant.demographicsInfo)) {
    if (!isObject(item)) continue;
    const label = typeof item.label === 'string' ? item.label : typeof item.code === 'string' ? item.code : '';
    if (label && item.value !== null && item.value !== undefined) demographics.push([label, String(item.value)]);
  }
  const tasks: ParticipantDetails['tasks'] = [];
  for (const task of list(root.tasks)) {
    if (!isObject(task)) continue;
    const response = isObject(task.response) ? task.response : undefined;
    const answer = !response ? 'no response' : response.skipped === true ? 'skipped' : answerText(response.answer);
    tasks.push({ text: typeof task.text === 'string' ? task.text : '', type: typeof task.type === 'string' ? task.type : '', answer });
  }
  const participantId = typeof participant.participantId === 'string' ? participant.participantId : undefined;
  return { ...(participantId ? { participantId } : {}), demographics, tasks };
}

export function qxScoreSummary(scores: unknown): { completes?: number; totalQxTasks?: number; rows: QxScoreRow[] } {
  const root = isObject(scores) ? scores : {};
  const meta = isObject(root.meta) ? root.meta : {};
  const rows: QxScoreRow[] = list(root.qxScores)
    .filter(isObject)
    .map((item) => {
      const components = isObject(item.components) ? item.components : {};
      return {
        label: typeof item.label === 'string' ? item.label : '',
        qxScore: numOrNull(item.qxScore),
        behavioral: numOrNull(components.behavioral),
        attitudinal: numOrNull(components.attitudinal),
      };
    });
  return { completes: numOrNull(meta.completes) ?? undefined, totalQxTasks: numOrNull(meta.totalQxTasks) ?? undefined, rows };
}
