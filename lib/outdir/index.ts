import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeFsError, OutputError } from './error';
import { checkOutdir, type OutdirChoice } from './guard';
import { type LegacyLayout } from './legacy';
import { acquireLock } from './lock';
import { makeStaging, recoverLeftovers, swapIn, type Notice } from './merge';

export { describeFsError, OutputError } from './error';
export { type Notice } from './merge';
export { chooseOutdir, checkOutdir, MARKER, type OutdirChoice } from './guard';
export { type LegacyLayout } from './legacy';
export { markerContent } from './merge';
export { localState, migrateInTreeState, type LocalState } from './state';

/** SIGINT or SIGTERM arrived while synthesizing: nothing was swapped in, staging is gone. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'Interrupted';
  }
}

/** How synthesis into an output directory is done. */
export interface WriteOutputOptions {
  readonly choice: OutdirChoice;
  /** Directories that must never be the output directory or inside it (the project root). */
  readonly protectedRoots: readonly string[];
  /** Builds the complete new output in `staging`; `target` is where it will be swapped in. */
  readonly build: (staging: string, target: string) => void;
  /** Runs under the lock after a successful build, just before the swap (state migration). */
  readonly beforeSwap?: (target: string) => void;
  readonly notice: Notice;
  /**
   * Which files of a marker-less target an earlier version generated (replaced, not kept).
   * @default CDKTF output: manifest.json and each listed stack's cdk.tf.json, cost.md, topology.md
   */
  readonly legacy?: LegacyLayout;
}

/**
 * Synthesizes into a staging directory beside the target and swaps it in, under a lock, keeping
 * everything in the target that synthesis did not generate. On error or SIGINT/SIGTERM the
 * staging directory is removed and the target is as it was. Returns the target's absolute path.
 */
export async function writeOutput(options: WriteOutputOptions): Promise<string> {
  const { choice } = options;
  const target = checkOutdir(choice, options.protectedRoots, options.legacy);
  const fsFail = (what: string, e: unknown): OutputError => new OutputError(choice.where, `cannot ${what}: ${describeFsError(e)}; choose a writable directory`);
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (e) {
    throw fsFail(`create ${dirname(target)}`, e);
  }
  let release: () => void;
  try {
    release = acquireLock(join(dirname(target), `.${basename(target)}.lock`), choice.where);
  } catch (e) {
    if (e instanceof OutputError) throw e;
    throw fsFail(`write beside ${target}`, e);
  }
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => (interrupted = signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let staging: string | undefined;
  try {
    recoverLeftovers(target, options.notice);
    staging = makeStaging(target);
    options.build(staging, target);
    // Signals that arrived during the (synchronous) build are delivered here.
    await new Promise((done) => setTimeout(done, 10));
    if (interrupted) throw new Interrupted(interrupted);
    options.beforeSwap?.(target);
    swapIn(staging, target, options.notice, options.legacy);
    staging = undefined;
    return target;
  } catch (e) {
    if (e instanceof OutputError || e instanceof Interrupted || !(e as NodeJS.ErrnoException).code) throw e;
    throw fsFail(`write ${target}`, e);
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
    release();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
