import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runOk } from '../../dataplane/support/proc';

export interface Held {
  readonly opened: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  readonly seconds: number;
  /** Closes the connections (and waits, bounded, for the holder to exit). */
  release(): Promise<void>;
}

/** `count` TCP connections from namespace `ns` to host:port, opened one by one and held open. */
export function holdConnections(ns: string, host: string, port: number, count: number, timeoutMs = 120_000): Promise<Held> {
  const child = spawn('ip', ['netns', 'exec', ns, 'python3', join(__dirname, 'hold-connections.py'), host, String(port), String(count)], {
    stdio: ['pipe', 'pipe', 'pipe'], detached: true,
  });
  const kill = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  };
  const release = async (): Promise<void> => {
    child.stdin.end();
    for (let i = 0; i < 50 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    kill();
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`hold-connections did not report within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve({ ...(JSON.parse(out.split('\n')[0]) as Omit<Held, 'release'>), release });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n')) reject(new Error(`hold-connections exited ${code}: ${err}`));
    });
  });
}

/** The conntrack table of a namespace: entries now, and the per-CPU statistics summed. */
export async function conntrackStats(ns: string): Promise<{ count: number; stats: Record<string, number> }> {
  const count = Number((await runOk(['ip', 'netns', 'exec', ns, 'conntrack', '-C'])).trim());
  const stats: Record<string, number> = {};
  for (const [, k, v] of (await runOk(['ip', 'netns', 'exec', ns, 'conntrack', '-S'])).matchAll(/(\w+)=(\d+)/g)) {
    if (k !== 'cpu') stats[k] = (stats[k] ?? 0) + Number(v);
  }
  return { count, stats };
}
