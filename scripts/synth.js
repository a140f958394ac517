'use strict';
// `npm run synth` and `cdktf synth`: the compiled app in one file (dist/app.js) under plain
// node, built first when a source changed, started from V8's code cache of the last run.
// No TypeScript or swc is loaded on this path.
const path = require('node:path');
const { runWithCodeCache } = require('./code-cache');
const { ensureBuilt } = require('./fresh-build');

let dist;
try {
  dist = ensureBuilt();
} catch (e) {
  process.stderr.write(`synth: ${e.message}\n`);
  process.exit(1);
}
runWithCodeCache(path.join(dist, 'app.js'));
