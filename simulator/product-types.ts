/** The kinds of session the simulator makes: which media each has follows from it (docs/simulator.md). */
export const PRODUCT_TYPES = ['SURVEY', 'NON_THINK_OUT_LOUD', 'THINK_OUT_LOUD', 'LIVE_CONVERSATION'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];
