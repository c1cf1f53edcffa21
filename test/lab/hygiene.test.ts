// The lab cleans up after itself: destroy, Ctrl-C, a crash, and `clean` never touching a live lab.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { createLab, LAB_DIR, NODE, run } from './lab.ts';
import { namespacesOf, REGISTRY_DIR } from './registry.ts';
import { plan } from './topology.ts';
import { SCENARIOS } from './scenarios.ts';
import { INFRA_DEADLINE_MS, until, waitLine } from './wait.ts';

const CLI = join(LAB_DIR, 'cli.ts');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `cli.ts up ID` and resolves with its lab prefix once it prints "ready" (bounded; fails if it exits). */
async function startUp(id: string): Promise<{ child: ChildProcess; prefix: string; out: () => string }> {
  const child = spawn(NODE, [CLI, 'up', id], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  await waitLine(child, child.stdout as Readable, /^ready;/, { what: `up ${id}`, also: [child.stderr as Readable] });
  const m = /^lab (pl[0-9a-z]{6}):/m.exec(out);
  if (!m?.[1]) throw new Error(`up ${id}: no lab prefix in: ${out}`);
  return { child, prefix: m[1], out: () => out };
}

function exited(child: ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pid ${child.pid} still running after ${ms} ms`)), ms);
    child.once('exit', (code) => (clearTimeout(t), resolve(code)));
  });
}

function gone(pid: number, ms: number): Promise<boolean> {
  return until(() => !existsSync(`/proc/${pid}`), { what: `pid ${pid} gone`, deadlineMs: ms, pollMs: 20 }).then(
    () => true,
    () => false,
  );
}

describe('lab hygiene', () => {
  test('no link is ever created in the host namespace: every veth end names its namespace', () => {
    for (const s of SCENARIOS) {
      for (const line of plan('pl000000', s.build).host.filter((l) => l.startsWith('link add'))) {
        expect(line).toMatch(/^link add \S+ index \d+ netns pl000000-\w+ type veth peer name \S+ index \d+ netns pl000000-\w+$/);
      }
    }
  });

  test('destroy removes namespaces, registry entry, /etc/netns and the scratch dir; a second destroy is harmless', async () => {
    const lab = await createLab('tunnel-ok');
    expect(namespacesOf(lab.prefix)).toHaveLength(8);
    expect(existsSync(`${REGISTRY_DIR}/${lab.prefix}.pid`)).toBe(true);
    expect(existsSync(`/etc/netns/${lab.ns('pod')}/resolv.conf`)).toBe(true);
    const scratch = () => readdirSync(tmpdir()).filter((d) => d.startsWith(`${lab.prefix}-`));
    expect(scratch()).toHaveLength(1);
    // The host namespace holds none of the lab's interfaces.
    const host = await run('ip', ['-o', 'link', 'show']);
    expect(host.stdout).not.toMatch(/ (p-node|p-ecs|p-eni|peering|veth-pod|br-node)[@:]/);
    await lab.destroy();
    await lab.destroy();
    expect(namespacesOf(lab.prefix)).toEqual([]);
    expect(existsSync(`${REGISTRY_DIR}/${lab.prefix}.pid`)).toBe(false);
    expect(existsSync(`/etc/netns/${lab.ns('pod')}`)).toBe(false);
    expect(scratch()).toEqual([]);
  });

  test('Ctrl-C on `cli.ts up` tears its lab down', async () => {
    const { child, prefix, out } = await startUp('tunnel-ok');
    expect(namespacesOf(prefix)).toHaveLength(8);
    child.kill('SIGINT');
    expect(await exited(child, INFRA_DEADLINE_MS)).toBe(0);
    expect(out()).toContain(`lab ${prefix} torn down`);
    expect(namespacesOf(prefix)).toEqual([]);
    expect(existsSync(`${REGISTRY_DIR}/${prefix}.pid`)).toBe(false);
  });

  test('an uncaught error in the owner tears its lab down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-crash-'));
    try {
      const script = join(dir, 'crash.ts');
      writeFileSync(
        script,
        `import { createLab } from ${JSON.stringify(join(LAB_DIR, 'lab.ts'))};\n` +
          "const lab = await createLab('eni-ok');\nconsole.log(lab.prefix);\nthrow new Error('boom');\n",
      );
      const r = await run(NODE, [script], { timeoutMs: INFRA_DEADLINE_MS });
      const prefix = r.stdout.trim();
      expect(prefix).toMatch(/^pl[0-9a-z]{6}$/);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('boom');
      expect(namespacesOf(prefix)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('`clean` keeps a lab whose owner is alive and removes one whose owner was killed', async () => {
    const mine = await createLab('vpc-ok');
    const { child, prefix: orphan } = await startUp('eni-ok');
    try {
      const servers = (await run('ip', ['netns', 'pids', `${orphan}-ecs`])).stdout.split('\n').filter(Boolean).map(Number);
      expect(servers.length).toBeGreaterThan(0);
      child.kill('SIGKILL'); // no handler runs: the lab is left behind
      await exited(child, INFRA_DEADLINE_MS);
      expect(namespacesOf(orphan)).toHaveLength(8);

      const r = await run(NODE, [CLI, 'clean'], { timeoutMs: INFRA_DEADLINE_MS });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`removed ${orphan}`);
      expect(r.stdout).toContain(`kept ${mine.prefix}`);
      expect(namespacesOf(orphan)).toEqual([]);
      expect(namespacesOf(mine.prefix)).toHaveLength(8);
      for (const pid of servers) expect(await gone(pid, INFRA_DEADLINE_MS)).toBe(true);
      // The live lab still works after someone ran clean.
      const ping = await mine.exec('pod', ['ping', '-n', '-c', '1', '-W', '1', '192.168.10.52']);
      expect(ping.code).toBe(0);
    } finally {
      await mine.destroy();
    }
  });
});
