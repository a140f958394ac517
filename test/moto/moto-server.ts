import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { background, killGroup, run, runOk, sleep } from '../dataplane/support/proc';

// The AWS API emulator (Debian's python3-moto) as a test starts it: in its own Debian root
// (test/moto/build-root.sh), bound to loopback — the host's, or a lab namespace's — and
// stopped by the test. Nothing here talks to any address but the one the server binds.

const BUILD_ROOT = resolve(__dirname, 'build-root.sh');

export interface MotoServer {
  /** `http://<host>:<port>`, for the aws provider's `endpoints` and the AWS CLI's --endpoint-url. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** What the server printed, for failure messages. */
  output(): string;
  /** Everything moto holds, forgotten (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface MotoOptions {
  /** Run inside this network namespace (`ip netns exec`); the default is the host's. */
  readonly netns?: string;
  /** The address to bind. @default 127.0.0.1 */
  readonly host?: string;
  /** @default - a free port on the host's loopback */
  readonly port?: number;
  /** How long to wait for the server to answer. @default 120 s (a cold start on a busy machine) */
  readonly startTimeoutMs?: number;
  /** Extra settings for the server (moto reads them from its environment), e.g. MOTO_IAM_LOAD_MANAGED_POLICIES. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The emulator's root, built once per machine (a few minutes the first time). */
export async function motoRoot(): Promise<string> {
  const out = await runOk(['bash', BUILD_ROOT], { timeoutMs: 1_800_000 });
  return out.trim().split('\n').pop()!;
}

export async function startMoto(opts: MotoOptions = {}): Promise<MotoServer> {
  const root = await motoRoot();
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const inRoot = ['chroot', root, 'env', '-i', 'PATH=/usr/bin:/bin', 'HOME=/tmp', 'PYTHONDONTWRITEBYTECODE=1',
    'MOTO_ALLOW_NONEXISTENT_REGION=false',
    ...Object.entries(opts.env ?? {}).map(([name, value]) => `${name}=${value}`), 'python3', '-m', 'moto.server', '-H', host, '-p', String(port)];
  const argv = opts.netns === undefined ? inRoot : ['ip', 'netns', 'exec', opts.netns, ...inRoot];
  const { child, output } = background(argv);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const inNs = (cmd: string[]): string[] => (opts.netns === undefined ? cmd : ['ip', 'netns', 'exec', opts.netns, ...cmd]);
  const ping = async (): Promise<boolean> =>
    (await run(inNs(['curl', '-fsS', '-o', '/dev/null', '--max-time', '2', `${url}/moto-api/data.json`]), { timeoutMs: 5000 })).code === 0;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      throw new Error(`moto.server exited ${child.exitCode} before answering on ${url}:\n${output()}`);
    }
    if (await ping()) break;
    if (Date.now() > deadline || i > 1000) {
      killGroup(child);
      throw new Error(`moto.server did not answer on ${url} in ${opts.startTimeoutMs ?? 120_000} ms:\n${output()}`);
    }
    await sleep(250);
  }
  return {
    url,
    host,
    port,
    output,
    async reset() {
      await runOk(inNs(['curl', '-fsS', '-o', '/dev/null', '--max-time', '10', '-X', 'POST', `${url}/moto-api/reset`]), { timeoutMs: 15_000 });
    },
    async stop() {
      killGroup(child);
      for (let i = 0; i < 100 && child.exitCode === null && child.signalCode === null; i++) await sleep(50);
    },
  };
}

/** A port the kernel just gave out on loopback; the server binds it right after. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}
