import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Shown in the Temporal UI so a run can be found by test or session. Registered by our dev servers. */
export const TEST_ID_SEARCH_ATTRIBUTE = defineSearchAttributeKey('UtTestId', SearchAttributeType.KEYWORD);
export const SESSION_ID_SEARCH_ATTRIBUTE = defineSearchAttributeKey('UtSessionId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [TEST_ID_SEARCH_ATTRIBUTE, SESSION_ID_SEARCH_ATTRIBUTE];
