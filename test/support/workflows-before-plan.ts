// The workflows of a worker that predates `plan`: it has no `planTestResult`.
export { ingestTestResult, ingestSession } from 'ut-media/workflows';
