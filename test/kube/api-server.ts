// A small kube-apiserver stand-in for tests: serves recorded objects (fixtures/*.json), authenticates bearer
// tokens, enforces RBAC rules (403 Status bodies as the real server writes them), and when a pod is created it
// really runs the pod's command (e.g. `podreach probe ...` inside the lab's node namespace), serving its
// stdout as the pod log. It records every pod created and deleted, so a test can assert nothing is left.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { violations } from '../support/pod-security.ts';

export interface Rule {
  verbs: string[];
  /** "pods", "pods/log", "nodes", "daemonsets", "network-attachment-definitions"... ("*" for all). */
  resources: string[];
  /** Namespaces the rule applies to; absent = all namespaces and cluster-scoped (a ClusterRole). */
  namespaces?: string[];
  resourceNames?: string[];
}

export interface Identity {
  user: string;
  rules: Rule[];
}

export interface StartedPod {
  /** The pod as created (after defaulting). */
  pod: PodLike;
  argv: string[];
}

/** Maps a created pod's container command to a local process (argv), or undefined to leave it Pending. */
export type PodRunner = (p: StartedPod) => { argv: string[]; env?: NodeJS.ProcessEnv } | undefined;

export interface ApiServerOptions {
  /** Recorded objects (a fixture's items). */
  objects: KubeObject[];
  /** CRDs installed (plural.group); resources of other CRD groups answer 404 like a real server. */
  crds?: string[];
  /** token → identity. */
  tokens: Record<string, Identity>;
  tls?: boolean;
  host?: string;
  port?: number;
  runner?: PodRunner;
  /** Namespaces that enforce Pod Security "restricted" (hostNetwork pods are refused). */
  restrictedNamespaces?: string[];
  /** Paths (regex) the server accepts but never answers: to test bounded calls. */
  hang?: RegExp[];
  /** Paths (regex) answered only after `ms`: a loaded server, or reads of a large cluster. */
  slow?: { path: RegExp; ms: number }[];
  /** Faults to serve instead of the answer, first match wins; a fault without `path` hits every request. */
  faults?: FaultRule[];
  /** Serve a certificate the client's CA file does not sign (a wrong CA in the kubeconfig). */
  untrustedCert?: boolean;
  /** How long a created pod stays Pending (ContainerCreating) before its command runs, ms: scheduling and image pull on a real node. */
  podStartMs?: number;
  /** Called after every change to the set of pods (for a state file). */
  onChange?: (s: ApiServer) => void;
  /** Called after every request is answered (for a state file that counts reads). */
  onRequest?: (s: ApiServer) => void;
  /** Maps an ephemeral container (kubectl debug POD) to a local process, or undefined to leave it waiting. */
  debugRunner?: DebugRunner;
  /** Pod watches, one fault each in order (then served normally): how a watch is refused or breaks. */
  watchFaults?: WatchFault[];
}

/**
 * refused: 405 (a server or proxy that does not serve watches); not-found: 404; cut: the connection dropped
 * after the first event; closed: the stream ended after the first event (timeoutSeconds, a restart); gone:
 * a 410 Gone ERROR event (the resourceVersion is too old); garbage: a line that is not JSON; ignored: the list
 * instead (a proxy that drops the watch parameter).
 */
export type WatchFault = 'refused' | 'not-found' | 'cut' | 'closed' | 'gone' | 'garbage' | 'ignored';
export const WATCH_FAULTS: readonly WatchFault[] = ['refused', 'not-found', 'cut', 'closed', 'gone', 'garbage', 'ignored'];

interface Watcher {
  ns?: string;
  name?: string;
  send: (type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject) => void;
}

/** An ephemeral container kubectl debug added: the pod it joins, the container as sent, its command. */
export interface DebugContainer {
  pod: PodLike;
  container: { name: string; image?: string; securityContext?: Record<string, unknown>; env?: { name: string; value?: string }[]; targetContainerName?: string };
  argv: string[];
}
export type DebugRunner = (d: DebugContainer) => { argv: string[]; env?: NodeJS.ProcessEnv } | undefined;

/** What a broken or overloaded API server, or something that is not one, does to a request. */
export type Fault = 'unauthorized' | 'forbidden' | 'not-found' | 'too-many-requests' | 'server-error' | 'silent' | 'reset' | 'not-json';
export const FAULTS: readonly Fault[] = ['unauthorized', 'forbidden', 'not-found', 'too-many-requests', 'server-error', 'silent', 'reset', 'not-json'];

export interface FaultRule {
  fault: Fault;
  /** Request paths it applies to (e.g. /\/nodes\//); absent = every request, /version included. */
  path?: RegExp;
  /** For too-many-requests: the Retry-After seconds sent (default 30). */
  retryAfter?: number;
  /** Serve it this many times, then answer normally (default: always). */
  times?: number;
  /** Only for this HTTP method (GET, POST, DELETE); absent = every method. */
  method?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

type PodLike = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const KINDS: Record<string, { group: string; resource: string; list: string }> = {
  Pod: { group: '', resource: 'pods', list: 'PodList' },
  Namespace: { group: '', resource: 'namespaces', list: 'NamespaceList' },
  Node: { group: '', resource: 'nodes', list: 'NodeList' },
  ConfigMap: { group: '', resource: 'configmaps', list: 'ConfigMapList' },
  Secret: { group: '', resource: 'secrets', list: 'SecretList' },
  Service: { group: '', resource: 'services', list: 'ServiceList' },
  DaemonSet: { group: 'apps', resource: 'daemonsets', list: 'DaemonSetList' },
  NetworkAttachmentDefinition: { group: 'k8s.cni.cncf.io', resource: 'network-attachment-definitions', list: 'NetworkAttachmentDefinitionList' },
  IPPool: { group: 'crd.projectcalico.org', resource: 'ippools', list: 'IPPoolList' },
  NetworkPolicy: { group: 'networking.k8s.io', resource: 'networkpolicies', list: 'NetworkPolicyList' },
};
const BUILTIN = new Set(['', 'apps', 'networking.k8s.io']);

interface Running {
  child?: ChildProcess;
  log: string;
  timer?: NodeJS.Timeout;
  /** Pending until it fires (podStartMs). */
  startTimer?: NodeJS.Timeout;
}

interface Debugged {
  run: Running;
  /** Open `kubectl logs -f` responses. */
  followers: Set<ServerResponse>;
  done: boolean;
}

export class ApiServer {
  readonly url: string;
  readonly caFile?: string;
  /** Every request: "GET /api/v1/... 200". */
  readonly requests: string[] = [];
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  /** Every list answered: "nodes 500" (resource, items in that page). */
  readonly pages: string[] = [];
  private store = new Map<string, KubeObject>();
  private running = new Map<string, Running>();
  /** Ephemeral containers by "pod key#container". */
  private debugged = new Map<string, Debugged>();
  private watchers = new Set<Watcher>();
  private rv = 5_000_000;

  private server: Server;
  private opts: ApiServerOptions;
  private tmp: string | undefined;

  private constructor(server: Server, opts: ApiServerOptions, url: string, caFile: string | undefined, tmp: string | undefined) {
    this.server = server;
    this.opts = opts;
    this.tmp = tmp;
    this.url = url;
    this.caFile = caFile;
    for (const o of opts.objects) this.store.set(this.key(o), structuredClone(o));
  }

  static async start(opts: ApiServerOptions): Promise<ApiServer> {
    let tmp: string | undefined;
    let caFile: string | undefined;
    let server: Server;
    const host = opts.host ?? '127.0.0.1';
    const holder: { s?: ApiServer } = {};
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      holder.s?.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) status(res, 500, 'InternalError', String(err));
      });
    };
    if (opts.tls !== false) {
      tmp = mkdtempSync(join(tmpdir(), 'podreach-api-'));
      caFile = join(tmp, 'ca.crt');
      const key = join(tmp, 'tls.key');
      // A self-signed serving certificate doubles as the CA clients trust (ca.crt, like a service account's).
      const selfSigned = (cert: string, keyFile: string) =>
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
          '-subj', '/CN=kube-apiserver', '-addext', `subjectAltName=IP:${host},DNS:kubernetes.default.svc`, '-keyout', keyFile, '-out', cert], { stdio: 'ignore' });
      selfSigned(caFile, key);
      // Untrusted: the server shows another self-signed certificate than the one clients are told to trust.
      const served = opts.untrustedCert ? join(tmp, 'served.crt') : caFile;
      if (opts.untrustedCert) selfSigned(served, join(tmp, 'served.key'));
      server = createHttps({ key: readFileSync(opts.untrustedCert ? join(tmp, 'served.key') : key), cert: readFileSync(served) }, handler);
    } else {
      server = createHttp(handler);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const url = `${opts.tls === false ? 'http' : 'https'}://${host}:${port}`;
    const s = new ApiServer(server, opts, url, caFile, tmp);
    holder.s = s;
    return s;
  }

  /** Live pods carrying podreach's probe label. */
  podreachPods(): KubeObject[] {
    return [...this.store.values()].filter((o) => o.kind === 'Pod' && o.metadata.labels?.['app.kubernetes.io/name'] === 'podreach');
  }

  state(): object {
    return { url: this.url, created: this.created, deleted: this.deleted, live: this.podreachPods().map((p) => `${p.metadata.namespace}/${p.metadata.name}`) };
  }

  async close(): Promise<void> {
    for (const [, r] of this.running) stop(r);
    this.running.clear();
    for (const [, d] of this.debugged) stop(d.run);
    this.debugged.clear();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  private key(o: KubeObject): string {
    const k = KINDS[o.kind];
    if (!k) throw new Error(`fixture kind ${o.kind} not served`);
    return `${k.group}/${k.resource}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const watching = method === 'GET' && ['1', 'true'].includes(url.searchParams.get('watch') ?? '');
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      this.requests.push(`${method} ${url.pathname}${watching ? '?watch' : ''} ${res.statusCode}`);
      this.opts.onRequest?.(this);
    };
    res.on('finish', log);
    // A watch that is cut never finishes.
    if (watching) res.on('close', log);
    if (this.opts.hang?.some((r) => r.test(url.pathname))) return; // never answers
    const slow = this.opts.slow?.find((r) => r.path.test(url.pathname));
    if (slow) await new Promise((r) => setTimeout(r, slow.ms));
    const rule = this.opts.faults?.find((f) => (!f.path || f.path.test(url.pathname)) && (!f.method || f.method === method) && (f.times === undefined || f.times > 0));
    if (rule) {
      if (rule.times !== undefined) rule.times--;
      return serveFault(req, res, rule);
    }
    if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.4', platform: 'linux/amd64' });
    const found = discovery(url.pathname, this.opts.crds ?? [], new URL(this.url).host);
    if (found) return send(res, 200, found);
    const route = parsePath(url.pathname);
    if (!route) return status(res, 404, 'NotFound', 'the server could not find the requested resource');

    const auth = req.headers.authorization ?? '';
    const id = auth.startsWith('Bearer ') ? this.opts.tokens[auth.slice(7).trim()] : undefined;
    if (!id) return status(res, 401, 'Unauthorized', 'Unauthorized');

    const verb = method === 'GET' ? (route.name ? 'get' : watching ? 'watch' : 'list') : method === 'POST' ? 'create' : method === 'DELETE' ? 'delete' : method.toLowerCase();
    const resource = route.sub ? `${route.resource}/${route.sub}` : route.resource;
    if (!BUILTIN.has(route.group) && !(this.opts.crds ?? []).includes(`${route.resource}.${route.group}`)) {
      return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    let body: PodLike | undefined;
    if (verb === 'create') body = JSON.parse(await readBody(req)) as PodLike;
    const name = route.name ?? body?.metadata?.name;
    if (!allowed(id.rules, verb, resource, route.namespace, route.name)) {
      const scope = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope';
      const group = route.group;
      return send(res, 403, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `${route.resource}${name ? ` "${name}"` : ''} is forbidden: User "${id.user}" cannot ${verb} resource "${route.resource}"${route.sub ? ` subresource "${route.sub}"` : ''} in API group "${group}"${scope}`,
        reason: 'Forbidden',
        details: { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: route.resource },
        code: 403,
      });
    }

    const prefix = `${route.group}/${route.resource}/${route.namespace ?? ''}/`;
    if (verb === 'list') {
      const items = [...this.store.entries()].filter(([k]) => k.startsWith(prefix) || (route.namespace === undefined && k.startsWith(`${route.group}/${route.resource}/`))).map(([, o]) => o);
      const sel = url.searchParams.get('labelSelector');
      const picked = sel ? items.filter((o) => matches(o, sel)) : items;
      const kind = Object.values(KINDS).find((k) => k.resource === route.resource)?.list ?? 'List';
      // Chunked lists (?limit=N&continue=TOKEN), as kubectl asks for them; the token is an offset here.
      const limit = Number(url.searchParams.get('limit') ?? 0);
      const from = Number(url.searchParams.get('continue') ?? 0);
      const page = limit > 0 ? picked.slice(from, from + limit) : picked;
      const cont = limit > 0 && from + limit < picked.length ? { continue: String(from + limit) } : {};
      this.pages.push(`${route.resource} ${page.length}`);
      return send(res, 200, { kind, apiVersion: route.version === 'v1' && !route.group ? 'v1' : `${route.group}/${route.version}`, metadata: { resourceVersion: String(this.rv), ...cont }, items: page });
    }
    if (verb === 'create' && route.resource === 'pods' && body) return this.createPod(res, route.namespace ?? 'default', body);
    if (verb === 'watch' && route.resource === 'pods') return this.watchPods(res, url, route.namespace);
    const key = prefix + (route.name ?? '');
    const obj = this.store.get(key);
    if (!obj) return status(res, 404, 'NotFound', `${route.resource} "${route.name}" not found`, { name: route.name, kind: route.resource });
    if (verb === 'patch' && route.sub === 'ephemeralcontainers') return this.patchEphemeral(res, key, obj as PodLike, await readBody(req));
    const debugLog = route.sub === 'log' ? this.debugged.get(`${key}#${url.searchParams.get('container') ?? ''}`) : undefined;
    if (verb === 'get' && debugLog) return this.serveDebugLog(res, debugLog, url.searchParams.get('follow') === 'true');
    if (verb === 'get' && route.sub === 'log') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(this.running.get(key)?.log ?? '');
    }
    if (verb === 'get') return send(res, 200, obj);
    if (verb === 'delete') {
      const r = this.running.get(key);
      if (r) stop(r);
      this.running.delete(key);
      this.store.delete(key);
      this.deleted.push(`${obj.metadata.namespace}/${obj.metadata.name}`);
      this.opts.onChange?.(this);
      const gone = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv), deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 0 } };
      if (obj.kind === 'Pod') this.notify('DELETED', gone);
      return send(res, 200, gone);
    }
    return status(res, 405, 'MethodNotAllowed', `${method} is not supported`);
  }

  // ---- kubectl debug POD (issue #13): ephemeral containers, admitted by Pod Security, run, logged ----

  /** The Pod Security level a namespace enforces: its label, or restrictedNamespaces. */
  private enforced(ns: string): 'baseline' | 'restricted' | undefined {
    const label = this.store.get(`/namespaces//${ns}`)?.metadata.labels?.['pod-security.kubernetes.io/enforce'];
    if (label === 'baseline' || label === 'restricted') return label;
    return this.opts.restrictedNamespaces?.includes(ns) ? 'restricted' : undefined;
  }

  /** PATCH pods/NAME/ephemeralcontainers (strategic merge or JSON merge): adds the new containers. */
  private patchEphemeral(res: ServerResponse, key: string, pod: PodLike, text: string): void {
    let patch: { spec?: { ephemeralContainers?: DebugContainer['container'][] } };
    try {
      patch = JSON.parse(text);
    } catch {
      return void status(res, 400, 'BadRequest', 'the patch is not JSON (only merge patches are served here)');
    }
    const ns = pod.metadata.namespace ?? 'default';
    const spec = (pod.spec ?? {}) as { ephemeralContainers?: DebugContainer['container'][]; securityContext?: object };
    const have = new Set((spec.ephemeralContainers ?? []).map((c) => c.name));
    const added = (patch.spec?.ephemeralContainers ?? []).filter((c) => c && !have.has(c.name));
    const level = this.enforced(ns);
    if (level) {
      const broken = violations({ securityContext: spec.securityContext, ephemeralContainers: added }, level);
      if (broken.length) {
        return void status(res, 403, 'Forbidden', `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "${level}:latest": ${broken.join('; ')}`, { name: pod.metadata.name, kind: 'pods' });
      }
    }
    spec.ephemeralContainers = [...(spec.ephemeralContainers ?? []), ...added];
    pod.spec = spec as Record<string, unknown>;
    pod.metadata.resourceVersion = String(++this.rv);
    for (const c of added) this.startDebug(key, pod, c);
    send(res, 200, pod);
  }

  private startDebug(key: string, pod: PodLike, c: DebugContainer['container'] & { command?: string[]; args?: string[] }): void {
    const statuses = () => ((pod.status ??= {}).ephemeralContainerStatuses ??= []) as { name: string; state: object }[];
    const setState = (state: object) => {
      const all = statuses();
      const mine = all.find((x) => x.name === c.name);
      if (mine) mine.state = state;
      else all.push({ name: c.name, image: c.image, ready: false, restartCount: 0, state } as { name: string; state: object });
    };
    setState({ waiting: { reason: 'ContainerCreating' } });
    const d: Debugged = { run: { log: '' }, followers: new Set(), done: false };
    this.debugged.set(`${key}#${c.name}`, d);
    const plan = this.opts.debugRunner?.({ pod, container: c, argv: [...(c.command ?? []), ...(c.args ?? [])] });
    if (!plan) return;
    const [cmd, ...args] = plan.argv;
    const child = spawn(cmd as string, args, { env: plan.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    d.run.child = child;
    setState({ running: { startedAt: new Date().toISOString() } });
    const out = (b: Buffer) => {
      d.run.log += b.toString();
      for (const f of d.followers) f.write(b);
    };
    child.stdout?.on('data', out);
    child.stderr?.on('data', out);
    child.on('error', (err) => out(Buffer.from(`exec failed: ${err.message}\n`)));
    child.on('close', (code) => {
      d.run.child = undefined;
      const exitCode = code ?? 137;
      // The status first: a client that sees the log end reads the exit code next.
      setState({ terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date().toISOString() } });
      d.done = true;
      for (const f of d.followers) f.end();
      d.followers.clear();
    });
  }

  /** GET .../log?container=NAME[&follow=true]: what it printed so far; following, the rest as it comes. */
  private serveDebugLog(res: ServerResponse, d: Debugged, follow: boolean): void {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write(d.run.log);
    if (!follow || d.done) return void res.end();
    d.followers.add(res);
    res.on('close', () => d.followers.delete(res));
  }

  private createPod(res: ServerResponse, ns: string, body: PodLike): void {
    const name = body.metadata?.name;
    if (!name) return void status(res, 422, 'Invalid', 'Pod "" is invalid: metadata.name: Required value');
    if (body.metadata.namespace && body.metadata.namespace !== ns) {
      return void status(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const key = `/pods/${ns}/${name}`;
    if (this.store.has(key)) return void status(res, 409, 'AlreadyExists', `pods "${name}" already exists`, { name, kind: 'pods' });
    const spec = (body.spec ?? {}) as { hostNetwork?: boolean; containers?: { name: string; command?: string[]; args?: string[] }[]; activeDeadlineSeconds?: number; nodeName?: string };
    if (this.opts.restrictedNamespaces?.includes(ns) && spec.hostNetwork) {
      return void status(res, 403, 'Forbidden', `pods "${name}" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true), allowPrivilegeEscalation != false, unrestricted capabilities (container "probe" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true, seccompProfile`, { name, kind: 'pods' });
    }
    const node = spec.nodeName ? (this.store.get(`/nodes//${spec.nodeName}`) as { status?: { addresses?: { type: string; address: string }[] } } | undefined) : undefined;
    const hostIP = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const pod: PodLike = {
      ...body,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...body.metadata, namespace: ns, uid: randomUUID(), resourceVersion: String(++this.rv), creationTimestamp: new Date().toISOString() },
      status: { phase: 'Pending', qosClass: 'Burstable', ...(hostIP ? { hostIP, podIP: spec.hostNetwork ? hostIP : undefined } : {}) },
    };
    this.store.set(key, pod);
    this.created.push(`${ns}/${name}`);
    this.opts.onChange?.(this);
    send(res, 201, pod);

    const c = spec.containers?.[0];
    const argv = [...(c?.command ?? []), ...(c?.args ?? [])];
    const plan = this.opts.runner?.({ pod, argv });
    if (!plan) return;
    const run: Running = { log: '' };
    this.running.set(key, run);
    if (this.opts.podStartMs) {
      pod.status = { ...pod.status, containerStatuses: [{ name: c?.name ?? 'probe', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] };
      this.changed(pod);
      run.startTimer = setTimeout(() => this.store.get(key) === pod && this.startPod(key, pod, run, plan, c?.name, spec.activeDeadlineSeconds), this.opts.podStartMs);
      run.startTimer.unref();
    } else this.startPod(key, pod, run, plan, c?.name, spec.activeDeadlineSeconds);
  }

  /** A stored pod changed (as the kubelet reports it): a new resourceVersion, and its watchers told. */
  private changed(pod: PodLike): void {
    pod.metadata.resourceVersion = String(++this.rv);
    this.notify('MODIFIED', pod);
  }

  private notify(type: 'MODIFIED' | 'DELETED', pod: KubeObject): void {
    for (const w of this.watchers) if ((!w.ns || w.ns === pod.metadata.namespace) && (!w.name || w.name === pod.metadata.name)) w.send(type, pod);
  }

  /**
   * GET pods?watch=1[&fieldSelector=metadata.name=NAME][&resourceVersion=RV][&timeoutSeconds=N]: JSON lines, one
   * event each. No history is kept: a pod changed since RV is sent once as it is now (ADDED for all when no RV).
   */
  private watchPods(res: ServerResponse, url: URL, ns: string | undefined): void {
    const fault = this.opts.watchFaults?.shift();
    if (fault === 'refused') return status(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    if (fault === 'not-found') return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const sel = url.searchParams.get('fieldSelector') ?? '';
    const name = /^metadata\.name=(.+)$/.exec(sel)?.[1];
    if (sel && !name) return status(res, 400, 'BadRequest', `field selector "${sel}" is not served here (metadata.name=NAME only)`);
    const from = url.searchParams.get('resourceVersion');
    const mine = [...this.store.values()].filter((o) => o.kind === 'Pod' && (!ns || o.metadata.namespace === ns) && (!name || o.metadata.name === name));
    if (fault === 'ignored') return send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items: mine });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    if (fault === 'gone') {
      const gone = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.rv})`, reason: 'Expired', code: 410 };
      return void res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
    }
    if (fault === 'garbage') return void res.write('<html><body>not a watch</body></html>\n');
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    timer?.unref();
    const w: Watcher = {
      ns,
      name,
      send: (type, pod) => {
        if (res.writableEnded || res.destroyed) return;
        const line = `${JSON.stringify({ type, object: pod })}\n`;
        if (fault === 'cut') res.write(line, () => res.socket?.destroy());
        else if (fault === 'closed') res.end(line);
        else res.write(line);
      },
    };
    this.watchers.add(w);
    res.on('close', () => {
      this.watchers.delete(w);
      if (timer) clearTimeout(timer);
    });
    for (const o of mine) {
      if (!from) w.send('ADDED', o);
      else if (Number(o.metadata.resourceVersion) > Number(from)) w.send('MODIFIED', o);
    }
  }

  /** Runs a created pod's command: Running, then Succeeded / Failed with its exit code; its output is the log. */
  private startPod(key: string, pod: PodLike, run: Running, plan: { argv: string[]; env?: NodeJS.ProcessEnv }, container: string | undefined, activeDeadlineSeconds: number | undefined): void {
    const c = container === undefined ? undefined : { name: container };
    const spec = { activeDeadlineSeconds };
    const [cmd, ...args] = plan.argv;
    const child = spawn(cmd as string, args, { env: plan.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    run.child = child;
    pod.status = { ...pod.status, phase: 'Running', startTime: new Date().toISOString(), containerStatuses: [{ name: c?.name ?? 'probe', ready: true, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }] };
    this.changed(pod);
    child.stdout?.on('data', (d: Buffer) => {
      run.log += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      run.log += d.toString();
    });
    if (spec.activeDeadlineSeconds) {
      run.timer = setTimeout(() => {
        stop(run);
        if (this.store.get(key) !== pod) return;
        pod.status = { ...pod.status, phase: 'Failed', reason: 'DeadlineExceeded', message: `Pod was active on the node longer than the specified deadline` };
        this.changed(pod);
      }, spec.activeDeadlineSeconds * 1000);
      run.timer.unref();
    }
    child.on('error', (err) => {
      run.log += `exec failed: ${err.message}\n`;
    });
    child.on('close', (code) => {
      if (run.timer) clearTimeout(run.timer);
      run.child = undefined;
      if (this.store.get(key) !== pod || pod.status?.phase === 'Failed') return;
      const exitCode = code ?? 137;
      pod.status = {
        ...pod.status,
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        containerStatuses: [{ name: c?.name ?? 'probe', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: new Date().toISOString() } } }],
      };
      this.changed(pod);
    });
  }
}

function stop(r: Running): void {
  if (r.timer) clearTimeout(r.timer);
  if (r.startTimer) clearTimeout(r.startTimer);
  const pid = r.child?.pid;
  if (pid) {
    try {
      process.kill(-pid, 'SIGKILL'); // the whole process group we started (detached)
    } catch {
      // already gone
    }
  }
}

/**
 * Discovery as kubectl reads it (the legacy documents: kubectl falls back to them from aggregated discovery):
 * /api, /apis, and each group version's resources, from KINDS, the subresources served and the CRDs installed.
 */
function discovery(path: string, crds: string[], host: string): object | undefined {
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const groups = new Map<string, { name: string; singularName: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[] }[]>();
  for (const [kind, k] of Object.entries(KINDS)) {
    if (!BUILTIN.has(k.group) && !crds.some((c) => c === `${k.resource}.${k.group}`)) continue;
    const gv = k.group ? `${k.group}/v1` : 'v1';
    const namespaced = kind !== 'Node' && kind !== 'Namespace' && kind !== 'IPPool';
    const list = groups.get(gv) ?? [];
    list.push({ name: k.resource, singularName: kind.toLowerCase(), namespaced, kind, verbs, ...(kind === 'Pod' ? { shortNames: ['po'] } : kind === 'Namespace' ? { shortNames: ['ns'] } : {}) });
    if (kind === 'Pod') {
      list.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
      list.push({ name: 'pods/ephemeralcontainers', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    }
    groups.set(gv, list);
  }
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
  if (path === '/apis') {
    const named = [...groups.keys()].filter((gv) => gv.includes('/'));
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: named.map((gv) => {
        const [name, version] = gv.split('/') as [string, string];
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      }),
    };
  }
  const gv = path.startsWith('/api/') ? path.slice(5) : path.startsWith('/apis/') ? path.slice(6) : undefined;
  const resources = gv !== undefined ? groups.get(gv) : undefined;
  return resources ? { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources } : undefined;
}

interface Route {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  sub?: string;
}

function parsePath(path: string): Route | undefined {
  const p = path.split('/').filter(Boolean);
  let group = '';
  let version: string;
  let rest: string[];
  if (p[0] === 'api' && p[1]) {
    version = p[1];
    rest = p.slice(2);
  } else if (p[0] === 'apis' && p[1] && p[2]) {
    group = p[1];
    version = p[2];
    rest = p.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, sub] = rest;
  if (!resource) return undefined;
  return { group, version, namespace, resource, name, sub };
}

function allowed(rules: Rule[], verb: string, resource: string, ns: string | undefined, name: string | undefined): boolean {
  return rules.some(
    (r) =>
      (r.verbs.includes('*') || r.verbs.includes(verb)) &&
      (r.resources.includes('*') || r.resources.includes(resource)) &&
      (!r.namespaces || (ns !== undefined && r.namespaces.includes(ns))) &&
      (!r.resourceNames || (name !== undefined && r.resourceNames.includes(name))),
  );
}

function matches(o: KubeObject, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && o.metadata.labels?.[k] === v;
  });
}

function serveFault(req: IncomingMessage, res: ServerResponse, rule: FaultRule): void {
  switch (rule.fault) {
    case 'unauthorized':
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    case 'forbidden':
      return status(res, 403, 'Forbidden', `forbidden: User "system:anonymous" cannot get path "${req.url}"`);
    case 'not-found':
      return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    case 'too-many-requests':
      res.setHeader('retry-after', String(rule.retryAfter ?? 30));
      return status(res, 429, 'TooManyRequests', 'Too many requests, please try again later.');
    case 'server-error':
      return status(res, 500, 'InternalError', 'Internal error occurred: etcdserver: request timed out');
    case 'silent':
      return; // accepted, never answered
    case 'reset':
      // RST, not FIN: what a crashing server or a middlebox dropping the flow looks like.
      try {
        req.socket.resetAndDestroy();
      } catch {
        req.socket.destroy(); // a TLS socket has no RST of its own: close it mid-exchange
      }
      return;
    case 'not-json':
      // What a captive proxy or a web server at the API's address sends.
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html><head><title>Sign in</title></head><body>Please sign in to continue</body></html>');
  }
}

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: object): void {
  send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.on('data', (d: Buffer) => {
      s += d.toString();
      if (s.length > 1_000_000) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

// ---------- fixtures, identities, client files ----------

export interface Fixture {
  items: KubeObject[];
  'x-podreach-fixture': { note: string; crds: string[] };
}

export const FLAVOURS = ['cce-tunnel', 'cce-vpc', 'cce-turbo', 'eks', 'gke', 'calico', 'aks-overlay'] as const;
export type Flavour = (typeof FLAVOURS)[number];

/** A recorded cluster; `rewrite` swaps address prefixes (e.g. a 172.17.0.0/16 container CIDR). */
export function loadFixture(name: Flavour, rewrite: [string, string][] = []): Fixture {
  let text = readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');
  for (const [a, b] of rewrite) text = text.split(a).join(b);
  return JSON.parse(text) as Fixture;
}

export const SA_USER = 'system:serviceaccount:default:podreach';

/** Rules as manifests/rbac*.yaml grant them, parsed from the files themselves; `roles`: only the (Cluster)Roles so named. */
export function rulesFromManifests(files: string[], podNamespace = 'default', roles?: (name: string) => boolean): Rule[] {
  const out: Rule[] = [];
  for (const f of files) {
    const text = readFileSync(new URL(`../../manifests/${f}`, import.meta.url), 'utf8');
    for (const doc of text.split(/^---\s*$/m)) {
      const kind = doc.match(/^kind:\s*(\S+)/m)?.[1];
      if (kind !== 'Role' && kind !== 'ClusterRole') continue;
      if (roles && !roles(doc.match(/^metadata:\n(?:\s+.*\n)*?\s+name:\s*(\S+)/m)?.[1] ?? '')) continue;
      const ns = doc.match(/^metadata:\n(?:\s+.*\n)*?\s+namespace:\s*(\S+)/m)?.[1];
      for (const block of doc.split(/\n\s*- apiGroups:/).slice(1)) {
        const list = (key: string) => {
          const m = block.match(new RegExp(`${key}:\\s*\\[([^\\]]*)\\]`));
          return m ? (m[1] ?? '').split(',').map((s) => s.trim().replace(/["']/g, '')).filter(Boolean) : undefined;
        };
        const verbs = list('verbs') ?? [];
        const resources = list('resources') ?? [];
        const names = list('resourceNames');
        const namespace = kind === 'Role' ? (ns === 'NAMESPACE' || !ns ? podNamespace : ns) : undefined;
        out.push({ verbs, resources, ...(namespace ? { namespaces: [namespace] } : {}), ...(names ? { resourceNames: names } : {}) });
      }
    }
  }
  return out;
}

/** A service-account token that looks like one (JWT with sub); the test server only compares strings. */
export function fakeToken(user = SA_USER): string {
  const b = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'RS256', kid: 'test' })}.${b({ iss: 'https://kubernetes.default.svc.cluster.local', sub: user, aud: ['https://kubernetes.default.svc.cluster.local'] })}.c2lnbmF0dXJl`;
}

export function writeKubeconfig(dir: string, server: ApiServer | string, token: string, caFile?: string, namespace = 'default'): string {
  const url = typeof server === 'string' ? server : server.url;
  const ca = typeof server === 'string' ? caFile : server.caFile;
  const file = join(dir, 'kubeconfig');
  const cluster = ca ? `    certificate-authority: ${ca}` : '    insecure-skip-tls-verify: true';
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: ${url}\n${cluster}\ncontexts:\n- name: test\n  context:\n    cluster: test\n    user: podreach\n    namespace: ${namespace}\ncurrent-context: test\nusers:\n- name: podreach\n  user:\n    token: ${token}\n`,
  );
  return file;
}

/** In-cluster style, as the kubelet sets it up: a service-account dir written into `dir` and KUBERNETES_SERVICE_*. */
export function inClusterEnv(dir: string, server: ApiServer, token: string, podName: string, namespace = 'default'): NodeJS.ProcessEnv {
  const u = new URL(server.url);
  writeServiceAccount(dir, token, server.caFile, namespace);
  return { PODREACH_SERVICEACCOUNT_DIR: dir, KUBERNETES_SERVICE_HOST: u.hostname, KUBERNETES_SERVICE_PORT: u.port, HOSTNAME: podName, HOME: '/nonexistent' };
}

/** A directory shaped like /var/run/secrets/kubernetes.io/serviceaccount. */
export function writeServiceAccount(dir: string, token: string, caFile: string | undefined, namespace = 'default'): string {
  writeFileSync(join(dir, 'token'), token);
  writeFileSync(join(dir, 'namespace'), namespace);
  if (caFile) writeFileSync(join(dir, 'ca.crt'), readFileSync(caFile));
  return dir;
}
