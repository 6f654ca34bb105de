import { Rng } from './random';
import type { SessionSpec } from './scenario';

/** A deterministic WebVTT transcript for a session (think-out-loud or live conversation). */

const PARTICIPANT_LINES = [
  "Okay, so I'm on the home page now.",
  "I'm looking for the search bar... there it is.",
  "Hmm, I'm not sure what this button does.",
  'This looks pretty straightforward so far.',
  "I'd expect the price to be shown here.",
  'Let me try adding this to the cart.',
  "I didn't notice that link at first.",
  'That was easier than I thought it would be.',
  "I'm a little confused by the wording on this step.",
  "I'm going to go back and try the other option.",
  'The checkout asks for a lot of information.',
  'I like that it remembers my choice.',
];
const MODERATOR_LINES = [
  'Can you tell me what you expected to happen there?',
  'What would you do next?',
  'How does that compare to what you use today?',
  'Take your time, just think out loud.',
  'What made you pick that option?',
];

function timestamp(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

export function transcriptVtt(seed: number, session: SessionSpec): string {
  const rng = new Rng(seed, 'transcript', session.sessionId);
  const live = session.productType === 'LIVE_CONVERSATION';
  const cues: string[] = ['WEBVTT', ''];
  let at = rng.int(500, 3000);
  const count = rng.int(6, 12);
  for (let i = 1; i <= count; i++) {
    const moderator = live && rng.chance(0.4);
    const text = moderator ? rng.pick(MODERATOR_LINES) : rng.pick(PARTICIPANT_LINES);
    const length = rng.int(1500, 6000);
    cues.push(String(i), `${timestamp(at)} --> ${timestamp(at + length)}`, `<v ${moderator ? 'Moderator' : 'Participant'}>${text}`, '');
    at += length + rng.int(200, 4000);
  }
  return cues.join('\n');
}
