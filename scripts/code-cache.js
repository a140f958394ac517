'use strict';
// Plain JavaScript on purpose: it loads the compiled app.
//
// `runWithCodeCache(file)` runs a CommonJS file like `require` does, with V8's code cache:
// the functions a run compiled are kept in `<file>.cache` and the next run starts from
// them instead of parsing and compiling the bundle again (a quarter of the example's
// synth). Node 22's module.enableCompileCache does the same for every module; Node 20 has
// no such switch.
//
// V8 checks a cache against the source's length, not its content, so the file starts with
// the SHA-1 of the source it was made from; any other cache is ignored and replaced. It is
// written after a successful run, to a temporary name and renamed over, so concurrent runs
// never read half a file; where dist/ is read-only the cache is simply not kept.
// EGRESS_CODE_CACHE=0 turns it off.
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const HASH_BYTES = 20;

function readCache(cacheFile, hash) {
  let data;
  try {
    data = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  return data.length > HASH_BYTES && data.subarray(0, HASH_BYTES).equals(hash) ? data.subarray(HASH_BYTES) : undefined;
}

function writeCache(cacheFile, hash, script) {
  const temporary = `${cacheFile}.${process.pid}`;
  try {
    fs.writeFileSync(temporary, Buffer.concat([hash, script.createCachedData()]));
    fs.renameSync(temporary, cacheFile);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/** Runs `file` as the main module would run; returns whether a kept cache was used. */
function runWithCodeCache(file) {
  const source = fs.readFileSync(file, 'utf8');
  const enabled = process.env.EGRESS_CODE_CACHE !== '0';
  const cacheFile = `${file}.cache`;
  const hash = crypto.createHash('sha1').update(source).digest();
  const cachedData = enabled ? readCache(cacheFile, hash) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  if (enabled && !used) {
    process.once('exit', (code) => {
      if (code === 0) writeCache(cacheFile, hash, script);
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return used;
}

module.exports = { runWithCodeCache };
