import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { OutputError } from './error';

/** How long a synth waits for another one writing the same directory. @default 60 s */
const WAIT_MS = 60_000;
const POLL_MS = 100;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `lockFile` (O_EXCL create, holding our pid), waiting for a live holder and taking over
 * from a dead one. Returns the release function.
 */
export function acquireLock(lockFile: string, where: string, waitMs = WAIT_MS): () => void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockFile);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number.parseInt(readIfExists(lockFile), 10);
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      // The holder died (SIGKILL, power loss): its lock protects nothing now.
      try {
        unlinkSync(lockFile);
      } catch {
        // Another waiter removed it first.
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new OutputError(where, `another synthesis (pid ${Number.isInteger(holder) ? holder : 'unknown'}) is writing this directory; wait for it to finish, or delete ${lockFile} if no synthesis is running`);
    }
    sleep(POLL_MS);
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
