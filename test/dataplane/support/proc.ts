import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs argv to completion, killing its whole process group when it overruns. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${argv[0]}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // a child that exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/** Like run, but throws with the command's output unless it exits 0. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(`\`${argv.join(' ')}\` exited ${r.code ?? r.signal} after ${r.ms} ms\n${r.stdout}${r.stderr}`);
  }
  return r.stdout;
}

export function runSync(argv: readonly string[], timeoutMs = 10_000): { code: number | null; stdout: string } {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.error ? null : r.status, stdout: r.stdout ?? '' };
}

export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** A command in the background (a server), its output kept for failure messages. */
export function background(argv: readonly string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  child.on('error', (e) => (out += `spawn error: ${e.message}`));
  return { child, output: () => out };
}

let python: string | undefined;

/**
 * The python3 first on PATH as its real executable, asked once per process: a version
 * manager's shim (pyenv's is a shell script that forks a dozen more) costs half a second of
 * CPU a start, and a lab starts a Python process for every fake server and probe.
 */
export function python3(): string {
  if (python) return python;
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 60_000 });
  const path = r.stdout?.trim();
  if (r.status !== 0 || !path) throw new Error(`python3 on PATH did not name its executable (exit ${r.status ?? r.error?.message}): ${r.stderr ?? ''}`);
  python = path;
  return python;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fails loudly (not a skip) when a tool the data-plane tier needs is missing. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => runSync(['sh', '-c', `command -v ${t}`]).code !== 0);
  if (missing.length > 0) {
    throw new Error(`data-plane tests need ${missing.join(', ')} on PATH (apt-get install -y nftables iproute2 iperf3 python3 curl shellcheck)`);
  }
  if (process.getuid?.() !== 0) throw new Error('data-plane tests need root (network namespaces)');
}
