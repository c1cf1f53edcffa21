// The API client's ways in (rest.ts): what kubeconfigs say about users and clusters, against the test API
// server (127.0.0.1). Each access is checked by what the server let through, not by parsing alone.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeContext } from '../../src/kube/index.ts';
import { ApiServer, fakeToken, loadFixture, SA_USER } from './api-server.ts';

const TOKEN = fakeToken();
const POD = 'test01-6cbbf97b78-krj6h';
let server: ApiServer;
const dirs: string[] = [];

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'podreach-rest-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  const fx = loadFixture('cce-vpc');
  server = await ApiServer.start({ objects: fx.items, crds: fx['x-podreach-fixture'].crds, tokens: { [TOKEN]: { user: SA_USER, rules: [{ verbs: ['*'], resources: ['*'] }] } } });
});
afterAll(async () => {
  await server.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A kubeconfig whose CA path is relative to its own directory, as kubectl resolves it. */
function kubeconfig(dir: string, user: string, cluster = ''): string {
  writeFileSync(join(dir, 'ca.crt'), readFileSync(server.caFile as string));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: lab\n  cluster:\n    server: ${server.url}\n    certificate-authority: ca.crt\n${cluster}contexts:\n- name: lab\n  context: {cluster: lab, user: me, namespace: default}\ncurrent-context: lab\nusers:\n- name: me\n  user:\n${user}`,
  );
  return file;
}

const read = (file: string) => loadKubeContext({ kubeconfig: file, pod: POD, timeoutMs: 5000, env: { HOME: '/nonexistent' } });

describe('kubeconfig users', () => {
  it('tokenFile, relative to the kubeconfig', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const ctx = await read(kubeconfig(dir, '    tokenFile: token\n'));
    expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
  });

  it('an exec credential plugin: its status.token is sent', async () => {
    const dir = tmp();
    const plugin = join(dir, 'plugin.sh');
    writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${TOKEN}"}}'\n`);
    chmodSync(plugin, 0o755);
    const ctx = await read(kubeconfig(dir, `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugin.sh\n`));
    expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
  });

  it('an exec plugin that fails: one note naming it, credentials rejected', async () => {
    const dir = tmp();
    const ctx = await read(kubeconfig(dir, '    exec:\n      command: /nonexistent/gke-gcloud-auth-plugin\n'));
    expect(ctx.access).toBe('forbidden');
    expect(ctx.notes.join('\n')).toMatch(/exec credential plugin \/nonexistent\/gke-gcloud-auth-plugin: .*ENOENT/);
  });

  it('a legacy auth-provider: says it is not supported', async () => {
    const dir = tmp();
    const ctx = await read(kubeconfig(dir, '    auth-provider:\n      name: gcp\n'));
    expect(ctx.notes.join('\n')).toMatch(/auth-provider "gcp" is not supported/);
    expect(ctx.access).toBe('forbidden');
  });

  it('no user credentials at all: the server says 401, the note says the credentials were rejected', async () => {
    const dir = tmp();
    const ctx = await read(kubeconfig(dir, '    {}\n'));
    expect(ctx.notes.join('\n')).toMatch(/401 Unauthorized/);
  });
});

describe('kubeconfig clusters and merging', () => {
  it('$KUBECONFIG with two files: the context in one, the cluster and user in the other', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'ca.crt'), readFileSync(server.caFile as string));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    writeFileSync(a, 'apiVersion: v1\nkind: Config\ncurrent-context: lab\ncontexts:\n- name: lab\n  context: {cluster: c, user: u}\n');
    writeFileSync(b, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${server.url}", certificate-authority: ca.crt}\nusers:\n- name: u\n  user: {token: "${TOKEN}"}\n`);
    const ctx = await loadKubeContext({ pod: POD, timeoutMs: 5000, env: { HOME: '/nonexistent', KUBECONFIG: `${a}:${b}` } });
    expect(ctx.access, ctx.notes.join('\n')).toBe('ok');
  });

  it('a proxy-url is named, not silently bypassed', async () => {
    const dir = tmp();
    const ctx = await read(kubeconfig(dir, `    token: ${TOKEN}\n`, '    proxy-url: http://127.0.0.1:3128\n'));
    expect(ctx.access).toBe('unreachable');
    expect(ctx.notes.join('\n')).toMatch(/proxy-url http:\/\/127\.0\.0\.1:3128 is not followed/);
  });

  it('a kubeconfig that is not YAML: one line naming the file', async () => {
    const dir = tmp();
    const file = join(dir, 'config');
    writeFileSync(file, 'clusters: [unclosed\n');
    const ctx = await read(file);
    expect(ctx.notes).toEqual([expect.stringMatching(new RegExp(`^API: kubeconfig ${file}: not YAML`))]);
  });
});
