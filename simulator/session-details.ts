import { Rng, seededUuid } from './random';
import type { SessionSpec, TestSpec } from './scenario';

/**
 * The v3 session details (`GET /api/v3/sessionResults/{sessionId}`): the participant's
 * demographics, the task groups and the task responses. The test plan (its tasks: ids, prompts,
 * types) comes from the seed and the test; the responses from the seed and the session; and
 * `version` (how often `updateSessionDetails` ran for the session) changes the first task's
 * answer and, in an interaction session, the participant's QXscore.
 */

export type DemographicType = 'DEMOGRAPHIC_QUESTION_TYPE_SINGLE' | 'DEMOGRAPHIC_QUESTION_TYPE_MULTIPLE' | 'UNRECOGNIZED';
export interface DemographicInfo {
  id: string | null;
  code: string | null;
  label: string | null;
  value: string | null;
  type: DemographicType | null;
}
export interface SessionParticipant {
  participantId: string | null;
  demographicsInfo: DemographicInfo[];
}
export type TaskGroup =
  { uuid: string; type: 'QX_SCORE'; response: { score: number } | null } | { uuid: string; type: 'BALANCED_COMPARISON'; response: { sequence: string } | null };

export const TASK_TYPES = ['BLANK', 'RATING_SCALE', 'MULTIPLE_CHOICE', 'IMAGE', 'NPS', 'URL', 'RANK_ORDER', 'WRITTEN', 'FIGMA', 'MATRIX'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
/** One key, named after the task's type; its content is the simulator's own (the reference leaves it open). */
export type TaskAnswer = Record<string, Record<string, unknown>>;
export interface TaskResponse {
  startTimeMs: number;
  endTimeMs: number;
  skipped: boolean;
  answer: TaskAnswer | null;
}
export interface Task {
  uuid: string;
  text: string;
  type: TaskType;
  response: TaskResponse | null;
}
export interface SessionDetails {
  sessionId: string | null;
  audienceId: string | null;
  testPlanId: string | null;
  sessionParticipant: SessionParticipant | null;
  taskGroups: TaskGroup[];
  tasks: Task[];
}

const ANSWER_KEY: Record<TaskType, string> = {
  BLANK: 'blank',
  RATING_SCALE: 'ratingScale',
  MULTIPLE_CHOICE: 'multipleChoice',
  IMAGE: 'image',
  NPS: 'nps',
  URL: 'url',
  RANK_ORDER: 'rankOrder',
  WRITTEN: 'written',
  FIGMA: 'figma',
  MATRIX: 'matrix',
};
/** Types whose answer is something the participant chose or said: the first task is one of them, so a new version always changes an answer. */
const ANSWERED: readonly TaskType[] = ['RATING_SCALE', 'MULTIPLE_CHOICE', 'NPS', 'RANK_ORDER', 'WRITTEN', 'MATRIX'];

const PROMPTS: Record<TaskType, string> = {
  BLANK: 'Get ready: the next steps use the site you just opened.',
  RATING_SCALE: 'How easy was it to find what you were looking for?',
  MULTIPLE_CHOICE: 'Which of these did you use during the task?',
  IMAGE: 'Look at this picture of the new product page.',
  NPS: 'How likely are you to recommend this site to a friend?',
  URL: 'Open the store and find a gift under 50 dollars.',
  RANK_ORDER: 'Put these features in order of importance to you.',
  WRITTEN: 'In your own words, what would you change first?',
  FIGMA: 'Go through the checkout prototype until the confirmation screen.',
  MATRIX: 'Rate each part of the page you just saw.',
};
const CHOICES = ['Search', 'Menu', 'Filters', 'Home page banner', 'Recommendations'];
const FEATURES = ['Price', 'Delivery speed', 'Reviews', 'Return policy'];
const PAGE_PARTS = ['Navigation', 'Product photos', 'Checkout button'];
const SAYINGS = [
  'The search results should show prices right away.',
  'I would make the filters easier to reach on mobile.',
  'Nothing major, it worked the way I expected.',
  'The delivery options were hard to compare.',
  'I would shorten the sign-up form.',
  'The colours made the buttons hard to tell apart.',
];

const DEMOGRAPHICS: Array<{ code: string; label: string; type: DemographicType; options: string[]; multiple?: boolean; declined?: number }> = [
  { code: 'GENDER', label: 'Gender', type: 'DEMOGRAPHIC_QUESTION_TYPE_SINGLE', options: ['Female', 'Male', 'Non-binary'] },
  { code: 'AGE_GROUP', label: 'Age range', type: 'DEMOGRAPHIC_QUESTION_TYPE_SINGLE', options: ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] },
  {
    code: 'COUNTRY',
    label: 'Country of residence',
    type: 'DEMOGRAPHIC_QUESTION_TYPE_SINGLE',
    options: ['United States', 'United Kingdom', 'Canada', 'Australia', 'Germany'],
  },
  {
    code: 'INCOME',
    label: 'Yearly household income (USD)',
    type: 'DEMOGRAPHIC_QUESTION_TYPE_SINGLE',
    options: ['Under 25,000', '25,000-49,999', '50,000-99,999', '100,000 or more'],
    declined: 0.2,
  },
  {
    code: 'INTERESTS',
    label: 'Interests',
    type: 'DEMOGRAPHIC_QUESTION_TYPE_MULTIPLE',
    options: ['Cooking', 'Sports', 'Travel', 'Gaming', 'Music'],
    multiple: true,
  },
];

const DEFAULT_LENGTH_MS = 10 * 60_000;

/** The ids of a test's plan (shared by its sessions, so tasks and task groups join across them). */
export const testPlanId = (seed: number, testId: string) => seededUuid(seed, testId.toLowerCase(), 'test-plan');
export const qxTaskGroupId = (seed: number, testId: string) => seededUuid(seed, testId.toLowerCase(), 'qx-task-group');
const comparisonGroupId = (seed: number, testId: string) => seededUuid(seed, testId.toLowerCase(), 'balanced-comparison');

/** Interaction (NON_THINK_OUT_LOUD) sessions carry a QXscore task group. */
export function isInteraction(session: SessionSpec): boolean {
  return session.productType === 'NON_THINK_OUT_LOUD';
}

/**
 * The participant's QXscore (0-100, integer). Each new version moves it by 37 modulo 101, so two
 * consecutive versions never give the same score.
 */
export function participantQxScore(seed: number, session: SessionSpec, version: number): number {
  const base = new Rng(seed, 'qx-score', session.sessionId.toLowerCase()).int(35, 95);
  return (base + 37 * version) % 101;
}

function testPlan(seed: number, testId: string): Array<{ uuid: string; text: string; type: TaskType }> {
  const rng = new Rng(seed, 'test-plan', testId.toLowerCase());
  const first = rng.pick(ANSWERED);
  const rest = shuffled(
    rng,
    TASK_TYPES.filter((t) => t !== first),
  ).slice(0, rng.int(2, 5));
  return [first, ...rest].map((type, i) => ({ uuid: seededUuid(seed, testId.toLowerCase(), 'task', i), text: PROMPTS[type], type }));
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const hasComparison = (seed: number, testId: string) => new Rng(seed, 'balanced-comparison', testId.toLowerCase()).chance(0.4);

/** `revision` shifts every chosen value by one step per version, so consecutive versions always differ. */
function answerOf(type: TaskType, rng: Rng, revision: number): TaskAnswer {
  const shift = <T>(items: readonly T[], start: number, k: number) => Array.from({ length: k }, (_, j) => items[(start + revision + j) % items.length]);
  let content: Record<string, unknown>;
  if (type === 'RATING_SCALE') content = { value: 1 + ((rng.int(1, 5) - 1 + revision) % 5), min: 1, max: 5 };
  else if (type === 'NPS') content = { score: (rng.int(0, 10) + revision) % 11 };
  else if (type === 'MULTIPLE_CHOICE') {
    const multiSelect = rng.chance(0.5);
    content = {
      options: CHOICES,
      selected: shift(CHOICES, rng.int(0, CHOICES.length - 1), multiSelect ? 2 : 1),
      multiSelect,
      randomizedOptions: rng.chance(0.5),
      maxLimit: multiSelect ? 2 : 1,
    };
  } else if (type === 'RANK_ORDER') {
    const order = shuffled(rng, FEATURES);
    content = { ranking: shift(order, 0, order.length) };
  } else if (type === 'WRITTEN') content = { text: SAYINGS[(rng.int(0, SAYINGS.length - 1) + revision) % SAYINGS.length] };
  else if (type === 'MATRIX') content = { rows: PAGE_PARTS.map((label) => ({ label, value: 1 + ((rng.int(1, 5) - 1 + revision) % 5) })), min: 1, max: 5 };
  else if (type === 'URL') content = { url: 'https://shop.example.com/', opened: true };
  else if (type === 'IMAGE') content = { imageUrl: 'https://images.example.com/product-page.png' };
  else if (type === 'FIGMA')
    content = {
      prototypeUrl: 'https://www.figma.com/proto/example/checkout',
      figmaPrototypeTitle: 'Checkout prototype',
      figmaPrototypeDisplaySetting: 'FIT_WIDTH',
    };
  else content = {};
  return { [ANSWER_KEY[type]]: content };
}

function sessionLengthMs(session: SessionSpec): number {
  const length = session.finishTime ? Date.parse(session.finishTime) - Date.parse(session.startTime) : DEFAULT_LENGTH_MS;
  return Math.max(60_000, length);
}

function demographicsOf(seed: number, sessionId: string): DemographicInfo[] {
  const rng = new Rng(seed, 'demographics', sessionId);
  return DEMOGRAPHICS.map((q) => {
    let value: string | null;
    if (q.multiple) value = q.options.filter(() => rng.chance(0.4)).join(',') || q.options[rng.int(0, q.options.length - 1)];
    else value = rng.pick(q.options);
    if (q.declined && rng.chance(q.declined)) value = null;
    return { id: seededUuid(seed, 'demographic-question', q.code), code: q.code, label: q.label, value, type: q.type };
  });
}

export function sessionDetails(seed: number, test: TestSpec, session: SessionSpec, version: number): SessionDetails {
  const sessionId = session.sessionId.toLowerCase();
  const rng = new Rng(seed, 'session-details', sessionId);
  const lengthMs = sessionLengthMs(session);
  const plan = testPlan(seed, test.testId);
  const slot = Math.floor(lengthMs / plan.length);
  const tasks = plan.map((t, i): Task => {
    const startTimeMs = i * slot + rng.int(0, Math.floor(slot / 4));
    const endTimeMs = startTimeMs + rng.int(Math.floor(slot / 4), Math.floor(slot / 2));
    const skipped = i > 0 && rng.chance(0.15);
    const answer = skipped ? null : answerOf(t.type, new Rng(seed, 'answer', sessionId, i), i === 0 ? version : 0);
    return { ...t, response: { startTimeMs, endTimeMs, skipped, answer } };
  });
  const taskGroups: TaskGroup[] = [];
  if (isInteraction(session))
    taskGroups.push({ uuid: qxTaskGroupId(seed, test.testId), type: 'QX_SCORE', response: { score: participantQxScore(seed, session, version) } });
  if (hasComparison(seed, test.testId))
    taskGroups.push({ uuid: comparisonGroupId(seed, test.testId), type: 'BALANCED_COMPARISON', response: { sequence: rng.pick(['AB', 'BA']) } });
  return {
    sessionId: session.sessionId,
    audienceId: session.audienceId,
    testPlanId: testPlanId(seed, test.testId),
    sessionParticipant: { participantId: seededUuid(seed, sessionId, 'participant'), demographicsInfo: demographicsOf(seed, sessionId) },
    taskGroups,
    tasks,
  };
}
