// The API client podreach needs: a handful of GETs, one create, one log read and one delete, over node:https.
// It replaces @kubernetes/client-node (7.8 MB bundled, ~0.6 s of CPU and ~40 MB to load): the reads start at
// once, and every fault comes back as an Outcome in words (faults.ts), never as a throw.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { dirname, resolve } from 'node:path';
import type { Credentials } from './credentials.ts';
import { bodyExcerpt, httpWords, retryAfterMs, transportWords } from './faults.ts';
import type { FailStatus, Outcome } from './objects.ts';

/** Where the API is and how to speak to it, from a service account or a kubeconfig context. */
export interface Endpoint {
  server: string;
  ca?: Buffer;
  insecure: boolean;
  serverName?: string;
  /** The kubeconfig's proxy-url: not followed; the client says so. */
  proxy?: string;
  /** "system:serviceaccount:ns:name" or the kubeconfig user's name, for messages. */
  user: string;
  /** The credentials' own namespace: the service account's, or the kubeconfig context's. */
  namespace?: string;
  auth: Auth;
}

type Auth =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  /** Re-read on every request: a projected service-account token rotates. */
  | { kind: 'token-file'; file: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'cert'; cert: Buffer; key: Buffer }
  | { kind: 'exec'; command: string; args: string[]; env: Record<string, string>; apiVersion: string; base: string }
  | { kind: 'unsupported'; why: string };

type Named<T> = { name?: string } & T;
interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}
interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: { command?: string; args?: string[]; env?: { name: string; value: string }[]; apiVersion?: string };
  'auth-provider'?: { name?: string; config?: Record<string, string> };
}
interface Kubeconfig {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>[];
  clusters?: Named<{ cluster?: KubeconfigCluster }>[];
  users?: Named<{ user?: KubeconfigUser }>[];
}

/** The endpoint of the credentials; throws one line naming the file or the context that is wrong. */
export async function endpointOf(cred: Credentials, contextName?: string): Promise<Endpoint> {
  if (cred.kind === 'serviceaccount') {
    const token = readFileSync(`${cred.dir}/token`, 'utf8').trim();
    return {
      server: cred.server,
      ca: readOr(`${cred.dir}/ca.crt`),
      insecure: cred.server.startsWith('http:'),
      user: tokenSubject(token) ?? 'service account',
      namespace: readOr(`${cred.dir}/namespace`)?.toString('utf8').trim() || undefined,
      auth: { kind: 'token-file', file: `${cred.dir}/token` },
    };
  }
  const { load } = await import('js-yaml');
  // Merged as kubectl merges $KUBECONFIG: the first file to name a context, cluster or user wins.
  const files: { file: string; cfg: Kubeconfig }[] = [];
  for (const file of cred.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = load(text);
    } catch (err) {
      throw new Error(`kubeconfig ${file}: not YAML (${(err as Error).message.split('\n')[0]})`);
    }
    files.push({ file, cfg: checkKubeconfig(doc, file) });
  }
  const where = cred.files.join(', ');
  const current = contextName || files.find((f) => f.cfg['current-context'])?.cfg['current-context'];
  if (!current) throw new Error(`no current context in ${where}: pass --context`);
  const ctx = files.flatMap((f) => f.cfg.contexts ?? []).find((c) => c?.name === current)?.context;
  if (!ctx) throw new Error(`context "${current}" not found in ${where}`);
  const find = <K extends 'clusters' | 'users'>(key: K, name: string | undefined) => {
    for (const f of files) {
      const hit = (f.cfg[key] as Named<object>[] | undefined)?.find((x) => x?.name === name);
      if (hit) return { file: f.file, entry: hit as NonNullable<Kubeconfig[K]>[number] };
    }
    return undefined;
  };
  const c = find('clusters', ctx.cluster);
  const cluster = (c?.entry as Named<{ cluster?: KubeconfigCluster }> | undefined)?.cluster;
  if (!c || !cluster?.server) throw new Error(`context "${current}": cluster "${ctx.cluster}" has no server in ${where}`);
  const u = find('users', ctx.user);
  const user = (u?.entry as Named<{ user?: KubeconfigUser }> | undefined)?.user ?? {};
  const rel = (file: string, p: string) => resolve(dirname(file), p);
  const caFile = cluster['certificate-authority'];
  return {
    server: cluster.server,
    ca: cluster['certificate-authority-data'] ? Buffer.from(cluster['certificate-authority-data'], 'base64') : caFile ? readOr(rel(c.file, caFile)) : undefined,
    insecure: cluster['insecure-skip-tls-verify'] === true,
    // YAML's `key:` with no value is null: the same as absent.
    serverName: cluster['tls-server-name'] ?? undefined,
    proxy: cluster['proxy-url'] ?? undefined,
    user: ctx.user ?? 'kubeconfig user',
    namespace: ctx.namespace ?? undefined,
    auth: authOf(user, u?.file ?? c.file),
  };
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const STRING_FIELDS = {
  contexts: ['context', ['cluster', 'user', 'namespace']],
  clusters: ['cluster', ['server', 'certificate-authority', 'certificate-authority-data', 'tls-server-name', 'proxy-url']],
  users: ['user', ['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'username', 'password']],
} as const;

/** The kubeconfig's shape, checked where podreach reads it: a wrong type is one line naming the field. */
function checkKubeconfig(doc: unknown, file: string): Kubeconfig {
  const bad = (path: string, what: string) => new Error(`kubeconfig ${file}: ${path} must be ${what}`);
  const str = (v: unknown, path: string) => {
    if (v !== undefined && v !== null && typeof v !== 'string') throw bad(path, 'a string');
  };
  if (doc === undefined || doc === null) return {};
  if (!isMap(doc)) throw bad('the document', 'a mapping');
  str(doc['current-context'], 'current-context');
  for (const [list, [inner, keys]] of Object.entries(STRING_FIELDS)) {
    const items = doc[list];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) throw bad(list, 'a list');
    for (const [i, item] of items.entries()) {
      const at = `${list}[${i}]`;
      if (!isMap(item)) throw bad(at, 'a mapping');
      str(item.name, `${at}.name`);
      const body = item[inner];
      if (body === undefined || body === null) continue;
      if (!isMap(body)) throw bad(`${at}.${inner}`, 'a mapping');
      for (const k of keys) str(body[k], `${at}.${inner}.${k}`);
      if (list === 'users') checkUserPlugins(body, `${at}.user`, bad, str);
    }
  }
  return doc as Kubeconfig;
}

function checkUserPlugins(u: Record<string, unknown>, at: string, bad: (path: string, what: string) => Error, str: (v: unknown, path: string) => void): void {
  const exec = u.exec;
  if (exec !== undefined && exec !== null) {
    if (!isMap(exec)) throw bad(`${at}.exec`, 'a mapping');
    str(exec.command, `${at}.exec.command`);
    str(exec.apiVersion, `${at}.exec.apiVersion`);
    if (exec.args != null && (!Array.isArray(exec.args) || exec.args.some((a) => typeof a !== 'string'))) throw bad(`${at}.exec.args`, 'a list of strings');
    if (exec.env != null && (!Array.isArray(exec.env) || exec.env.some((e) => !isMap(e) || typeof e.name !== 'string' || typeof e.value !== 'string'))) {
      throw bad(`${at}.exec.env`, 'a list of {name, value} strings');
    }
  }
  const provider = u['auth-provider'];
  if (provider !== undefined && provider !== null) {
    if (!isMap(provider)) throw bad(`${at}.auth-provider`, 'a mapping');
    str(provider.name, `${at}.auth-provider.name`);
    if (provider.config != null && (!isMap(provider.config) || Object.values(provider.config).some((v) => typeof v !== 'string'))) throw bad(`${at}.auth-provider.config`, 'a mapping of strings');
  }
}

function authOf(u: KubeconfigUser, file: string): Auth {
  const rel = (p: string) => resolve(dirname(file), p);
  if (u.token) return { kind: 'token', token: u.token };
  if (u.tokenFile) return { kind: 'token-file', file: rel(u.tokenFile) };
  const cert = u['client-certificate-data'] ? Buffer.from(u['client-certificate-data'], 'base64') : u['client-certificate'] ? readOr(rel(u['client-certificate'])) : undefined;
  const key = u['client-key-data'] ? Buffer.from(u['client-key-data'], 'base64') : u['client-key'] ? readOr(rel(u['client-key'])) : undefined;
  if (cert && key) return { kind: 'cert', cert, key };
  if (u.username && u.password) return { kind: 'basic', user: u.username, password: u.password };
  if (u.exec?.command) {
    const env = Object.fromEntries((u.exec.env ?? []).map((e) => [e.name, e.value]));
    return { kind: 'exec', command: u.exec.command, args: u.exec.args ?? [], env, apiVersion: u.exec.apiVersion ?? 'client.authentication.k8s.io/v1', base: dirname(file) };
  }
  const provider = u['auth-provider'];
  if (provider?.name === 'oidc' && provider.config?.['id-token']) return { kind: 'token', token: provider.config['id-token'] };
  if (provider) return { kind: 'unsupported', why: `auth-provider "${provider.name}" is not supported (use an exec plugin or a token)` };
  return { kind: 'none' };
}

export type Reply<T> = Outcome<T> & { retryAfter?: string };

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** The reply is text (a pod log), not JSON. */
  text?: boolean;
  ms: number;
  signal?: AbortSignal;
  /**
   * A read nothing waits on in series (the cluster's network signals): it goes over connections of its own, so
   * that the reads in series (our pod, then its node, then the probe pod's create) never queue behind it.
   */
  bulk?: boolean;
}

export interface StreamOptions {
  ms: number;
  signal?: AbortSignal;
  maxLines: number;
  maxBytes: number;
  /** One parsed line; true = enough, stop reading. */
  onLine: (value: unknown) => boolean;
}

interface Prepared {
  url: URL;
  headers: Record<string, string>;
  body?: string;
  agent: HttpAgent;
  send: typeof httpRequest;
}

/** Connections for the reads in series (newAgent says why so few). */
const MAX_SOCKETS = 2;
/** Connections for bulk reads (RequestOptions.bulk). */
const MAX_BULK_SOCKETS = 3;

/** One connection pool per endpoint, and what the exec plugin gave (once per run). */
export class Rest {
  readonly ep: Endpoint;
  private agent: HttpAgent;
  private execAuth?: Promise<{ header?: string; cert?: Buffer; key?: Buffer }>;

  /** Called on every HTTP answer, whatever its status: the server is alive. */
  private onAnswer?: () => void;

  /** The client certificate: the kubeconfig's, or the exec plugin's once it ran. */
  private cert?: { cert: Buffer; key: Buffer };

  constructor(ep: Endpoint, onAnswer?: () => void) {
    this.ep = ep;
    this.onAnswer = onAnswer;
    if (ep.auth.kind === 'cert') this.cert = { cert: ep.auth.cert, key: ep.auth.key };
    this.agent = this.newAgent(true, MAX_SOCKETS);
  }

  /**
   * A pooled agent holds a few connections: client-go speaks HTTP/2 over one, and a dozen TLS handshakes at once
   * on a pod's CPU share took longer than the reads queued on a few (our pod's read came back in ~35 ms instead
   * of ~60 ms against the test API server). A watch gets an agent of its own (keepAlive false, no limit).
   */
  private newAgent(keepAlive: boolean, maxSockets = Infinity): HttpAgent {
    const ep = this.ep;
    return ep.server.startsWith('https:')
      ? new HttpsAgent({ keepAlive, maxSockets, ca: ep.ca, rejectUnauthorized: !ep.insecure, servername: ep.serverName, ...this.cert })
      : new HttpAgent({ keepAlive, maxSockets });
  }

  /** The agent for bulk reads, made on first use. */
  private bulkAgent?: HttpAgent;

  get server(): string {
    return this.ep.server;
  }

  close(): void {
    this.agent.destroy();
    this.bulkAgent?.destroy();
  }

  /** One API call, bounded by `ms` and `signal`; never throws. */
  async request<T>(path: string, o: RequestOptions): Promise<Reply<T>> {
    const p = await this.prepare(path, o);
    if ('ok' in p) return p;
    const { url, headers, agent, send, body } = p;
    return new Promise<Reply<T>>((done) => {
      const req = send(url, { method: o.method ?? 'GET', headers, agent }, (res) => {
        this.onAnswer?.();
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          data += d;
        });
        res.on('end', () => finish(reply<T>(res.statusCode ?? 0, String(res.headers['content-type'] ?? ''), data, res.headers['retry-after'], o.text), false));
        res.on('error', (e: NodeJS.ErrnoException) => finish(fail('unreachable', transportWords(e.code ?? e.message))));
      });
      let connected = false;
      req.on('socket', (s) => {
        // A kept-alive socket is connected already: a listener on it would never fire, and they pile up.
        if (!s.connecting) connected = true;
        else s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => (connected = true));
      });
      const timer = setTimeout(
        () => finish(fail('timeout', `no answer within ${o.ms} ms${connected ? ' (connected; the server sends nothing)' : ''}`)),
        Math.max(1, o.ms),
      );
      const onAbort = () => finish(fail('error', 'aborted'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e: NodeJS.ErrnoException) => finish(fail('unreachable', transportWords(e.code ?? e.message))));
      req.end(body);
      /** `broken`: timed out, aborted or failed: the socket goes, it does not return to the pool. */
      function finish(r: Reply<T>, broken = true) {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        if (broken) req.destroy();
        done(r);
      }
    });
  }

  /** What every request needs before it is sent: the URL, the headers with the credential, the agent. */
  private async prepare(path: string, o: { method?: string; body?: unknown; text?: boolean; ms: number; signal?: AbortSignal; bulk?: boolean }): Promise<Reply<never> | Prepared> {
    if (this.ep.proxy) return fail('unreachable', `the kubeconfig's proxy-url ${this.ep.proxy} is not followed by podreach; run it where the API is reachable directly`);
    if (this.ep.auth.kind === 'unsupported') return fail('unauthorized', this.ep.auth.why);
    let auth: { header?: string; agent?: HttpAgent };
    try {
      auth = await this.authorize(o.ms);
    } catch (err) {
      return fail('unauthorized', `exec credential plugin ${this.ep.auth.kind === 'exec' ? this.ep.auth.command : ''}: ${(err as Error).message.split('\n')[0]}`);
    }
    // Aborted while the credentials were read: the abort listener would come too late.
    if (o.signal?.aborted) return fail('error', 'aborted');
    const url = new URL(path, this.ep.server);
    const body = o.body === undefined ? undefined : JSON.stringify(o.body);
    const headers: Record<string, string> = { accept: o.text ? 'text/plain, */*' : 'application/json' };
    if (auth.header) headers.authorization = auth.header;
    if (body) headers['content-type'] = 'application/json';
    const pooled = o.bulk ? (this.bulkAgent ??= this.newAgent(true, MAX_BULK_SOCKETS)) : this.agent;
    return { url, headers, body, agent: auth.agent ?? pooled, send: url.protocol === 'https:' ? httpsRequest : httpRequest };
  }

  /**
   * A streamed GET (a watch): each JSON line goes to `onLine` as it arrives, until `onLine` returns true
   * ('stopped'), the server ends the stream ('closed'), or it fails: an HTTP error as `request` words it, a
   * line that is not JSON, more than `maxLines` lines or `maxBytes` bytes, `ms` or `signal`. Never throws.
   */
  async stream(path: string, o: StreamOptions): Promise<Outcome<'stopped' | 'closed'>> {
    const p = await this.prepare(path, o);
    if ('ok' in p) return p;
    const { url, headers, send } = p;
    // A connection of its own: the stream holds it to its end and it is not reusable after a stop, while the
    // pooled one stays warm for the calls that follow (no new TLS handshake after the pod's end).
    const agent = this.newAgent(false);
    return new Promise((done) => {
      let settled = false;
      let lines = 0;
      let bytes = 0;
      let pending = '';
      const req = send(url, { method: 'GET', headers, agent }, (res) => {
        this.onAnswer?.();
        const code = res.statusCode ?? 0;
        res.setEncoding('utf8');
        if (code < 200 || code >= 300) {
          // The refusal's Status body, bounded: words as `request` gives them.
          let data = '';
          res.on('data', (d: string) => {
            if (data.length < 65_536) data += d;
          });
          res.on('end', () => finish(reply<never>(code, String(res.headers['content-type'] ?? ''), data, res.headers['retry-after']), false));
          res.on('error', (e: NodeJS.ErrnoException) => finish(fail('unreachable', transportWords(e.code ?? e.message))));
          return;
        }
        res.on('data', (d: string) => {
          bytes += Buffer.byteLength(d);
          if (bytes > o.maxBytes) return finish(fail('error', `the stream passed ${o.maxBytes} bytes`));
          pending += d;
          for (let nl = pending.indexOf('\n'); nl >= 0 && !settled; nl = pending.indexOf('\n')) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            take(line);
          }
        });
        res.on('end', () => {
          if (pending.trim()) take(pending);
          finish({ ok: true, value: 'closed' }, false);
        });
        // A server gone mid-stream: 'error' (reset) or 'close' without 'end'.
        res.on('error', (e: NodeJS.ErrnoException) => finish(fail('unreachable', `the stream broke: ${transportWords(e.code ?? e.message)}`)));
        res.on('close', () => finish(fail('unreachable', 'the stream broke: closed before its end')));
      });
      const timer = setTimeout(() => finish(fail('timeout', `the stream did not end within ${o.ms} ms`)), Math.max(1, o.ms));
      const onAbort = () => finish(fail('error', 'aborted'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (e: NodeJS.ErrnoException) => finish(fail('unreachable', transportWords(e.code ?? e.message))));
      req.end();
      function take(line: string) {
        if (!line.trim() || settled) return;
        if (++lines > o.maxLines) return finish(fail('error', `the stream sent more than ${o.maxLines} lines`));
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          return finish(fail('error', `the stream sent a line that is not JSON (${bodyExcerpt(line)})`));
        }
        if (o.onLine(value)) finish({ ok: true, value: 'stopped' });
      }
      /** `broken`: the stream is not at its end; the socket goes. */
      function finish(r: Outcome<'stopped' | 'closed'>, broken = true) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        if (broken) req.destroy();
        agent.destroy();
        done(r);
      }
    });
  }

  private async authorize(ms: number): Promise<{ header?: string; agent?: HttpAgent }> {
    const a = this.ep.auth;
    if (a.kind === 'token') return { header: `Bearer ${a.token}` };
    if (a.kind === 'token-file') return { header: `Bearer ${readFileSync(a.file, 'utf8').trim()}` };
    if (a.kind === 'basic') return { header: `Basic ${Buffer.from(`${a.user}:${a.password}`).toString('base64')}` };
    if (a.kind !== 'exec') return {};
    this.execAuth ??= runExec(a, ms);
    const got = await this.execAuth;
    if (got.cert && got.key && !(this.agent as HttpsAgent & { execCert?: boolean }).execCert) {
      this.agent.destroy();
      this.bulkAgent?.destroy();
      this.bulkAgent = undefined;
      this.cert = { cert: got.cert, key: got.key };
      this.agent = Object.assign(this.newAgent(true, MAX_SOCKETS), { execCert: true });
    }
    return { header: got.header };
  }
}

/** The client.authentication.k8s.io protocol: run the plugin, read status.token or the client certificate. */
function runExec(a: Extract<Auth, { kind: 'exec' }>, ms: number): Promise<{ header?: string; cert?: Buffer; key?: Buffer }> {
  const info = JSON.stringify({ apiVersion: a.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const command = a.command.includes('/') ? resolve(a.base, a.command) : a.command;
  return new Promise((ok, no) => {
    execFile(command, a.args, { env: { ...process.env, ...a.env, KUBERNETES_EXEC_INFO: info }, timeout: Math.max(1000, ms), maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return no(new Error(`${err.message.split('\n')[0]}${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`));
      try {
        const s = (JSON.parse(stdout) as { status?: { token?: string; clientCertificateData?: string; clientKeyData?: string } }).status ?? {};
        if (s.token) return ok({ header: `Bearer ${s.token}` });
        if (s.clientCertificateData && s.clientKeyData) return ok({ cert: Buffer.from(s.clientCertificateData), key: Buffer.from(s.clientKeyData) });
        no(new Error('no token or client certificate in its output'));
      } catch {
        no(new Error(`output is not an ExecCredential (${bodyExcerpt(stdout)})`));
      }
    });
  });
}

function reply<T>(code: number, contentType: string, data: string, retryAfter: string | undefined, text?: boolean): Reply<T> {
  if (code >= 200 && code < 300) {
    if (text) return { ok: true, value: data as T };
    try {
      return { ok: true, value: JSON.parse(data) as T };
    } catch {
      return fail('error', `the reply is not JSON (HTTP ${code}, ${contentType || 'no content-type'}: ${bodyExcerpt(data)})`);
    }
  }
  const status: FailStatus = code === 401 ? 'unauthorized' : code === 403 ? 'forbidden' : code === 404 ? 'not-found' : 'error';
  const later = code === 429 && retryAfter ? ' (beyond the API budget)' : '';
  const words = `${httpWords(code, retryAfter)}${later}`;
  return { ok: false, status, code, words, retryAfter, message: statusMessage(data) ?? words };
}

/** The message of a Kubernetes Status body; else the start of whatever came. */
function statusMessage(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { message?: unknown };
    return typeof j?.message === 'string' ? j.message : undefined;
  } catch {
    return body.trim() ? bodyExcerpt(body) : undefined;
  }
}

/**
 * A call with the 429 rule: a Retry-After that ends within `ms` is waited out and the call sent again; a
 * later one is reported with its Retry-After.
 */
export async function call<T>(rest: Rest, path: string, o: RequestOptions): Promise<Reply<T>> {
  const end = Date.now() + o.ms;
  for (;;) {
    const r = await rest.request<T>(path, { ...o, ms: Math.max(1, end - Date.now()) });
    const wait = !r.ok && r.code === 429 ? retryAfterMs(r.retryAfter) : undefined;
    if (wait === undefined || Date.now() + wait >= end || o.signal?.aborted) return r;
    await new Promise((ok) => setTimeout(ok, wait));
  }
}

function fail(status: FailStatus, message: string): Reply<never> {
  return { ok: false, status, message };
}

/** "system:serviceaccount:ns:name" from a service-account JWT (unverified: only for messages). */
function tokenSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: string };
    return payload.sub;
  } catch {
    return undefined;
  }
}

function readOr(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
