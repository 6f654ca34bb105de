#!/usr/bin/env node
'use strict';
require('./node-version.js').requireSupportedNode('ut-media');
// Runs the compiled CLI (npm run build produces dist/).
require('../dist/cli/main.js').main();
