// Property test for the kubeconfig reader (src/kube/rest.ts endpointOf): whatever a kubeconfig holds, it gives
// an endpoint whose fields have the types the client relies on, or throws an Error whose message is one
// printable line (it becomes an API note; the verdict comes from the pod). Seeded, in-process, no network.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { endpointOf } from '../../../src/kube/rest.ts';

const RUNS = Number(process.env.PODREACH_FC_RUNS ?? 10_000);
const params = { seed: Number(process.env.PODREACH_FC_SEED ?? 20261206), numRuns: RUNS };
const dir = mkdtempSync(join(tmpdir(), 'podreach-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALID = {
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'lab',
  contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'sa', namespace: 'default' } }],
  clusters: [{ name: 'lab', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('not a cert').toString('base64') } }],
  users: [{ name: 'sa', user: { token: 'abc.def' } }],
};

// Whatever YAML can hold, put where a kubeconfig holds its fields.
const junk = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('lab', 'sa', 'https://127.0.0.1:6443', '', '../../etc/passwd', 'bm90IGJhc2U2NA', '%%%'),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const PATHS = [
  ['current-context'], ['contexts'], ['contexts', 0], ['contexts', 0, 'name'], ['contexts', 0, 'context'], ['contexts', 0, 'context', 'cluster'],
  ['contexts', 0, 'context', 'user'], ['contexts', 0, 'context', 'namespace'], ['clusters'], ['clusters', 0], ['clusters', 0, 'name'],
  ['clusters', 0, 'cluster'], ['clusters', 0, 'cluster', 'server'], ['clusters', 0, 'cluster', 'certificate-authority-data'],
  ['clusters', 0, 'cluster', 'certificate-authority'], ['clusters', 0, 'cluster', 'insecure-skip-tls-verify'], ['clusters', 0, 'cluster', 'tls-server-name'],
  ['clusters', 0, 'cluster', 'proxy-url'], ['users'], ['users', 0], ['users', 0, 'name'], ['users', 0, 'user'], ['users', 0, 'user', 'token'],
  ['users', 0, 'user', 'tokenFile'], ['users', 0, 'user', 'client-certificate-data'], ['users', 0, 'user', 'client-key-data'],
  ['users', 0, 'user', 'client-certificate'], ['users', 0, 'user', 'username'], ['users', 0, 'user', 'password'], ['users', 0, 'user', 'exec'],
  ['users', 0, 'user', 'exec', 'command'], ['users', 0, 'user', 'exec', 'args'], ['users', 0, 'user', 'exec', 'env'], ['users', 0, 'user', 'auth-provider'],
  ['users', 0, 'user', 'auth-provider', 'config'],
] as const;

function set(o: Record<string, unknown>, path: readonly (string | number)[], v: unknown): void {
  let cur: unknown = o;
  for (const k of path.slice(0, -1)) {
    if (typeof cur !== 'object' || cur === null) return;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  if (typeof cur === 'object' && cur !== null) (cur as Record<string | number, unknown>)[path[path.length - 1] as string | number] = v;
}

const edits = fc.array(fc.tuple(fc.constantFrom(...PATHS), junk), { minLength: 1, maxLength: 4 });

describe('kubeconfig reader', () => {
  it(`an endpoint with well-typed fields, or one printable line (${RUNS} edited kubeconfigs)`, async () => {
    const file = join(dir, 'config');
    let endpoints = 0;
    await fc.assert(
      fc.asyncProperty(edits, async (e) => {
        const cfg = structuredClone(VALID) as Record<string, unknown>;
        for (const [path, v] of e) set(cfg, path, v);
        writeFileSync(file, dump(cfg, { skipInvalid: true }));
        let ep: Awaited<ReturnType<typeof endpointOf>>;
        try {
          ep = await endpointOf({ kind: 'kubeconfig', files: [file], describe: 'test' });
        } catch (err) {
          // A plain Error naming what is wrong, on one line: never a TypeError from deep inside.
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).constructor, (err as Error).message).toBe(Error);
          expect((err as Error).message).toMatch(/^[^\n\r]+$/);
          return;
        }
        endpoints++;
        expect(typeof ep.server).toBe('string');
        expect(ep.ca === undefined || Buffer.isBuffer(ep.ca)).toBe(true);
        expect(typeof ep.insecure).toBe('boolean');
        expect(typeof ep.user).toBe('string');
        expect(ep.namespace === undefined || typeof ep.namespace === 'string').toBe(true);
        expect(ep.serverName === undefined || typeof ep.serverName === 'string').toBe(true);
        expect(['token', 'token-file', 'cert', 'basic', 'exec', 'unsupported', 'none']).toContain(ep.auth.kind);
      }),
      params,
    );
    expect(endpoints, 'the edits leave many kubeconfigs usable').toBeGreaterThan(RUNS / 10);
  }, 120_000);
});
