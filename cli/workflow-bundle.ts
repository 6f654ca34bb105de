import fs from 'node:fs';
import path from 'node:path';

/** The workflow bundle built by `npm run build` (dist/workflow-bundle.js); undefined when running from sources. */
export function workflowBundlePath(): string | undefined {
  const fromEnv = process.env.UT_WORKFLOW_BUNDLE;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const built = path.join(__dirname, '..', 'workflow-bundle.js');
  return fs.existsSync(built) ? built : undefined;
}
