// Replays one history (the binary protobuf `History`, as `fetchHistory()` returns it, encoded) against
// a workflow bundle. A process of its own: the SDK's JSON history decoding trips over the two
// protobufjs copies in node_modules, and jest's module registry would add a third.
// Usage: node replay-history.js <bundle.js> <history.bin> <workflowId>; exit 0 replayed, 1 with the error.
const fs = require('node:fs');
const { temporal } = require('@temporalio/proto');
const { Worker } = require('@temporalio/worker');

const [bundle, file, workflowId] = process.argv.slice(2);
const history = temporal.api.history.v1.History.decode(fs.readFileSync(file));
Worker.runReplayHistory({ workflowBundle: { codePath: bundle } }, history, workflowId).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
