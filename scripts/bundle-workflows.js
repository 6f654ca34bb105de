#!/usr/bin/env node
'use strict';
// Bundles the workflow code once at build time, so workers start without webpack (CLI and tests).
const fs = require('node:fs');
const path = require('node:path');
const { bundleWorkflowCode } = require('@temporalio/worker');

async function main() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', 'dist', 'workflows', 'index.js'),
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  fs.writeFileSync(path.join(__dirname, '..', 'dist', 'workflow-bundle.js'), code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
