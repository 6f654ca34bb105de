#!/usr/bin/env node
'use strict';
// Runs the compiled CLI (npm run build produces dist/).
require('../dist/cli/main.js').main();
