'use strict';
// `npm run synth` and `cdktf synth`: the compiled app (dist/main.js) under plain node,
// built first when a source changed. No TypeScript or swc is loaded on this path.
const path = require('node:path');
const { ensureBuilt } = require('./fresh-build');

let dist;
try {
  dist = ensureBuilt();
} catch (e) {
  process.stderr.write(`synth: ${e.message}\n`);
  process.exit(1);
}
require(path.join(dist, 'main.js'));
