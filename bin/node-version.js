'use strict';
/**
 * The Node.js versions ut-media runs on, checked before anything else loads: an older Node gets one
 * line saying what to install, not a stack trace from a dependency. Plain CommonJS of the oldest
 * syntax, so any Node can run it. The range is `engines.node` in package.json.
 */
const MINIMUM = [20, 18, 1];

function tooOld(version) {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < MINIMUM.length; i++) {
    if (parts[i] !== MINIMUM[i]) return parts[i] < MINIMUM[i];
  }
  return false;
}

function requireSupportedNode(what) {
  if (!tooOld(process.versions.node)) return;
  process.stderr.write(
    what + ': Node.js ' + process.versions.node + ' is too old; install Node.js 22 or 24 (LTS) and run again (' + MINIMUM.join('.') + ' at least).\n',
  );
  process.exit(2);
}

module.exports = { requireSupportedNode: requireSupportedNode, tooOld: tooOld, MINIMUM: MINIMUM };
