// podreach fleet against the recorded 1000-node cluster (fixtures/big-cluster.ts: 10 pools in 3 zones) on the
// test API server at 127.0.0.1. The probe pods' command is replaced by a short sleep (no packets at all):
// what is measured is the API side — pods created, pods in flight, planning time (API read → first pod).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer, fakeToken, rulesFromManifests, SA_USER, writeKubeconfig } from './api-server.ts';
import { bigCluster } from './fixtures/big-cluster.ts';

const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs');

export interface BigRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the whole command, ms. */
  ms: number;
  created: number;
  /** Most probe pods alive at once, as the API server saw them. */
  maxInFlight: number;
  live: number;
  planMs?: number;
}

export async function fleetOnBigCluster(args: string[], opts: { podSeconds?: number } = {}): Promise<BigRun> {
  const fx = bigCluster();
  const token = fakeToken();
  let inFlight = 0;
  let maxInFlight = 0;
  const s = await ApiServer.start({
    objects: fx.items,
    crds: fx['x-podreach-fixture'].crds,
    tokens: { [token]: { user: SA_USER, rules: rulesFromManifests(['rbac-fleet.yaml']) } },
    runner: () => ({ argv: ['sleep', String(opts.podSeconds ?? 0.3)] }),
    onChange: (srv) => {
      inFlight = srv.podreachPods().length;
      maxInFlight = Math.max(maxInFlight, inFlight);
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'podreach-fleet-big-'));
  try {
    const kc = writeKubeconfig(dir, s, token);
    const t0 = performance.now();
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
      execFile(process.execPath, [BUNDLE, 'fleet', '--kubeconfig', kc, '-n', 'podreach', '-o', 'json', ...args], { env: { HOME: '/nonexistent', PATH: process.env.PATH }, timeout: 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        ok({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      ),
    );
    const ms = Math.round(performance.now() - t0);
    let planMs: number | undefined;
    try {
      planMs = (JSON.parse(r.stdout) as { timings: { planMs: number } }).timings.planMs;
    } catch {}
    return { ...r, ms, created: s.created.length, maxInFlight, live: s.podreachPods().length, ...(planMs !== undefined ? { planMs } : {}) };
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
