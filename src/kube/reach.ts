// The preflight: one anonymous GET /version with node:https before the API client is loaded. A server that
// refuses, resets, stays silent or fails TLS is named here, and @kubernetes/client-node (~0.6 s of CPU and
// ~40 MB) is never loaded for it. Any HTTP answer (401/403 are normal for an anonymous request) means "alive".
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, resolve } from 'node:path';
import type { Credentials } from './credentials.ts';
import { bodyExcerpt, httpWords, retryAfterMs, transportWords } from './faults.ts';

export interface Endpoint {
  server: string;
  ca?: Buffer;
  insecure: boolean;
  serverName?: string;
}

export type Reach =
  | { alive: true }
  /** `fault`: the words for the note; `access`: how the context reports it. */
  | { alive: false; access: 'unreachable' | 'error'; fault: string };

/**
 * Server and TLS settings from the credentials, without the client: the service account's env and ca.crt,
 * or the kubeconfig's current (or named) context. Undefined when the preflight cannot speak for the client
 * (a proxy-url, an unreadable file): then the client finds out by itself.
 */
export async function endpointOf(cred: Credentials, contextName?: string): Promise<Endpoint | undefined> {
  if (cred.kind === 'serviceaccount') {
    return { server: cred.server, ca: readOr(`${cred.dir}/ca.crt`), insecure: cred.server.startsWith('http:') };
  }
  const { load } = await import('js-yaml');
  type Named<T> = { name?: string } & T;
  type Cluster = { server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean; 'tls-server-name'?: string; 'proxy-url'?: string };
  type Config = { 'current-context'?: string; contexts?: Named<{ context?: { cluster?: string } }>[]; clusters?: Named<{ cluster?: Cluster }>[] };
  const files: { file: string; cfg: Config }[] = [];
  for (const file of cred.files) {
    try {
      files.push({ file, cfg: (load(readFileSync(file, 'utf8')) ?? {}) as Config });
    } catch {
      return undefined;
    }
  }
  const current = contextName || files.find((f) => f.cfg['current-context'])?.cfg['current-context'];
  const clusterName = files.flatMap((f) => f.cfg.contexts ?? []).find((c) => c?.name === current)?.context?.cluster;
  const owner = files.find((f) => f.cfg.clusters?.some((c) => c?.name === clusterName));
  const cluster = owner?.cfg.clusters?.find((c) => c?.name === clusterName)?.cluster;
  if (!owner || !cluster?.server || cluster['proxy-url']) return undefined;
  const caFile = cluster['certificate-authority'];
  const ca = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64')
    : caFile
      ? readOr(resolve(dirname(owner.file), caFile))
      : undefined;
  return { server: cluster.server, ca, insecure: cluster['insecure-skip-tls-verify'] === true, serverName: cluster['tls-server-name'] };
}

/**
 * GET /version, anonymous, bounded by `deadline` and `signal`. A 429 whose Retry-After fits before the
 * deadline is waited out and asked again; one that does not is the fault.
 */
export async function preflight(ep: Endpoint, deadline: number, signal?: AbortSignal): Promise<Reach> {
  for (;;) {
    const r = await getVersion(ep, deadline, signal);
    if ('error' in r) return { alive: false, access: 'unreachable', fault: r.error };
    if (r.status === 429) {
      const wait = retryAfterMs(r.retryAfter);
      if (wait !== undefined && Date.now() + wait < deadline && !signal?.aborted) {
        await new Promise((ok) => setTimeout(ok, wait));
        continue;
      }
      const why = wait === undefined ? 'no Retry-After' : `Retry-After ${r.retryAfter} s is beyond the API budget`;
      return { alive: false, access: 'error', fault: `${httpWords(429)} on /version (${why}); using what the pod itself shows` };
    }
    if (r.status >= 500) return { alive: false, access: 'error', fault: `${httpWords(r.status)} on /version: ${bodyExcerpt(r.body)}` };
    if (r.status === 200 && !isJson(r.body)) {
      return { alive: false, access: 'error', fault: `200 on /version with a body that is not JSON (${r.contentType || 'no content-type'}: ${bodyExcerpt(r.body)}): not a Kubernetes API server?` };
    }
    return { alive: true };
  }
}

type Got = { status: number; body: string; contentType: string; retryAfter?: string } | { error: string };

function getVersion(ep: Endpoint, deadline: number, signal?: AbortSignal): Promise<Got> {
  return new Promise((done) => {
    let url: URL;
    try {
      url = new URL('/version', ep.server);
    } catch {
      return done({ error: `server URL ${ep.server} is not a URL` });
    }
    const https = url.protocol === 'https:';
    const opts = https ? { ca: ep.ca, rejectUnauthorized: !ep.insecure, servername: ep.serverName, agent: false as const } : { agent: false as const };
    const req = (https ? httpsRequest : httpRequest)(url, { ...opts, method: 'GET', headers: { accept: 'application/json' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 64_000) body += d;
      });
      res.on('end', () =>
        finish({ status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type'] ?? ''), retryAfter: res.headers['retry-after'] }),
      );
      res.on('error', (e: NodeJS.ErrnoException) => finish({ error: transportWords(e.code ?? e.message) }));
    });
    let connected = false;
    req.on('socket', (s) => s.once(https ? 'secureConnect' : 'connect', () => (connected = true)));
    const ms = Math.max(1, deadline - Date.now());
    const timer = setTimeout(() => {
      finish({ error: connected ? `no answer within ${ms} ms (the connection is up, the server sends nothing)` : `no answer within ${ms} ms (${https ? 'TCP or TLS handshake' : 'TCP handshake'} not completed)` });
    }, ms);
    const onAbort = () => finish({ error: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: transportWords(e.code ?? e.message) }));
    req.end();
    function finish(g: Got) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      done(g);
    }
  });
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function readOr(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
