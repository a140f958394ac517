import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc';

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Kills what still runs in a lab namespace (only lab processes live there), then deletes it. */
export async function deleteNamespace(ns: string): Promise<void> {
  const pids = (await run(['ip', 'netns', 'pids', ns], { timeoutMs: 5000 })).stdout.split('\n').filter(Boolean);
  for (const pid of pids) killPid(Number(pid));
  await run(['ip', 'netns', 'del', ns], { timeoutMs: 5000 });
}

/**
 * The backstop behind lab-reaper.sh: what earlier runs left behind (namespaces, the
 * processes in them, temp dirs), all named egdp-<pid>-..., for pids no longer alive.
 */
export async function sweepStaleLabs(): Promise<void> {
  const list = (await run(['ip', 'netns', 'list'])).stdout;
  for (const line of list.split('\n')) {
    const m = /^(egdp-(\d+)-\S+)/.exec(line);
    if (m && !alive(Number(m[2]))) await deleteNamespace(m[1]);
  }
  for (const entry of readdirSync(tmpdir())) {
    const m = /^egdp-(\d+)-/.exec(entry);
    if (!m || alive(Number(m[1]))) continue;
    // An instance disk (an overlay mount) left under the directory goes first.
    await run(['sh', '-c', 'awk -v d="$0/" \'index($2, d) == 1 { print $2 }\' /proc/mounts | sort -r | xargs -r -n1 umount -l', join(tmpdir(), entry)]);
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}
