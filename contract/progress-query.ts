import { defineQuery } from '@temporalio/workflow';
import type { ProgressSnapshot } from './asset-types';

/** `progress` query of both workflows: counts per asset kind and state. */
export const progressQuery = defineQuery<ProgressSnapshot>('progress');
