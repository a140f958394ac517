'use strict';
// Plain JavaScript on purpose: it runs before anything is compiled.
//
// `ensureBuilt()` makes dist/ current: when any source of the build (main.ts, lib/, the
// build's own scripts and configs, package.json, the installed packages the app bundles)
// is newer than dist/app.js it runs `npm run build` once, under a lock so that concurrent
// callers (parallel tests, two terminals) wait for one build instead of racing it.
// Returns the path of dist/.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** What synth runs (scripts/build.ts APP_BUNDLE): the build's last output. */
const APP = 'app.js';
// node_modules/.package-lock.json is rewritten by every npm install that changes node_modules.
const SOURCES = ['main.ts', 'lib', 'package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.ts', 'scripts/cdktn-rewrite.ts'];
const LOCK_WAIT_MS = 15 * 60 * 1000;
/** A lock older than this was left by a build that died: it is taken over. */
const LOCK_STALE_MS = 10 * 60 * 1000;

function newestMtime(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(file).reduce((newest, entry) => Math.max(newest, newestMtime(path.join(file, entry))), stat.mtimeMs);
}

function isStale(root = ROOT) {
  let built;
  try {
    built = fs.statSync(path.join(root, 'dist', APP)).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((source) => newestMtime(path.join(root, source)) > built);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquireLock(lock) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS / 60000} minutes for another build (${lock}); remove it if no build is running`);
    else sleep(250);
  }
}

function ensureBuilt(root = ROOT) {
  const dist = path.join(root, 'dist');
  if (!isStale(root)) return dist;
  const lock = path.join(root, '.dist-build.lock');
  acquireLock(lock);
  try {
    // Another caller may have built while this one waited.
    if (!isStale(root)) return dist;
    process.stderr.write('dist/ is older than its sources; building it once (npm run build)\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    // The build's progress goes to stderr: stdout stays the command's own.
    const result = spawnSync(npm, ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 2, 2], timeout: LOCK_STALE_MS });
    if (result.status !== 0) throw new Error(`npm run build failed (${result.status ?? result.signal ?? result.error?.message}); fix the errors above`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
  return dist;
}

module.exports = { ensureBuilt, isStale };
