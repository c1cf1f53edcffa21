// The test API server as a process, for the lab: started with `ip netns exec <pod ns>`, it listens on
// 127.0.0.1 *inside the pod's namespace* (the only loopback podreach can reach there), and runs each probe pod's
// `podreach ...` command with `ip netns exec <node ns>` (it is root), i.e. with the node's network.
// Writes its state (url, ca, created/deleted/live pods) to --state after every change; prints "ready" on stdout.
//   node test/kube/api-server-main.ts --flavour cce-vpc --node-ns NS --podreach "node dist/podreach.mjs"
//        --token T --state FILE [--rewrite 172.16.=172.17.] [--rbac rbac.yaml,rbac-node-probe.yaml,rbac-from-env.yaml] [--restricted]
//        [--objects FILE]   (more objects, as a JSON array: what a scenario adds to the recorded cluster)
//        [--pod-start-ms MS] (a created pod stays Pending this long before its command runs: a real node's start)
//        [--node-map FILE]  (fleet lab: {"node name": {"node": NS, "pod": NS}}; a probe pod pinned to a node runs in
//                            that node's namespace, or in its pod namespace when it is not hostNetwork)
//        [--faults FILE]    (FaultRule[] as JSON, `path` a regex source: a server that fails mid-run)
//        [--drop KIND]      (leave the recorded cluster's objects of that kind out, e.g. Node for the fleet lab's own)
//        [--watch-faults refused,cut,...] (pod watches fail so, one each in order: WATCH_FAULTS in api-server.ts)
//        [--slow REGEX=MS]  (repeatable: requests whose path matches are answered MS later)
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiServer, type FaultRule, type Flavour, FLAVOURS, loadFixture, rulesFromManifests, SA_USER, WATCH_FAULTS, type WatchFault } from './api-server.ts';

const { values: a } = parseArgs({
  options: {
    flavour: { type: 'string' },
    'node-ns': { type: 'string' },
    podreach: { type: 'string' },
    token: { type: 'string' },
    state: { type: 'string' },
    rewrite: { type: 'string', multiple: true },
    rbac: { type: 'string', default: 'rbac.yaml,rbac-node-probe.yaml' },
    restricted: { type: 'boolean', default: false },
    objects: { type: 'string' },
    'pod-start-ms': { type: 'string' },
    'node-map': { type: 'string' },
    drop: { type: 'string', multiple: true },
    faults: { type: 'string' },
    'watch-faults': { type: 'string' },
    slow: { type: 'string', multiple: true },
  },
});
const flavour = a.flavour as Flavour;
if (!FLAVOURS.includes(flavour) || !a['node-ns'] || !a.podreach || !a.token || !a.state) {
  process.stderr.write('api-server-main: need --flavour, --node-ns, --podreach, --token, --state\n');
  process.exit(2);
}
const watchFaults = (a['watch-faults'] ?? '').split(',').filter(Boolean) as WatchFault[];
if (watchFaults.some((f) => !WATCH_FAULTS.includes(f))) {
  process.stderr.write(`api-server-main: --watch-faults takes ${WATCH_FAULTS.join(', ')}\n`);
  process.exit(2);
}
/** --slow REGEX=MS, or one line and exit 2. */
function slowRule(r: string): { path: RegExp; ms: number } {
  const at = r.lastIndexOf('=');
  const ms = Number(r.slice(at + 1));
  if (at <= 0 || !Number.isInteger(ms) || ms < 0) {
    process.stderr.write(`api-server-main: --slow takes REGEX=MS, not ${JSON.stringify(r)}\n`);
    process.exit(2);
  }
  return { path: new RegExp(r.slice(0, at)), ms };
}
const rewrite = (a.rewrite ?? []).map((r) => r.split('=') as [string, string]);
const fx = loadFixture(flavour, rewrite);
const podreach = (a.podreach as string).split(' ');
const stateFile = a.state as string;
const nodeMap: Record<string, { node: string; pod: string }> = a['node-map'] ? JSON.parse(readFileSync(a['node-map'], 'utf8')) : {};
const rules = a.rbac ? rulesFromManifests(a.rbac.split(',').filter(Boolean)) : [];

const server = await ApiServer.start({
  objects: [...fx.items.filter((o) => !(a.drop ?? []).includes(o.kind)), ...(a.objects ? JSON.parse(readFileSync(a.objects, 'utf8')) : [])],
  crds: fx['x-podreach-fixture'].crds,
  tokens: { [a.token as string]: { user: SA_USER, rules } },
  restrictedNamespaces: a.restricted ? ['default'] : [],
  podStartMs: Number(a['pod-start-ms'] ?? 0),
  watchFaults,
  slow: (a.slow ?? []).map(slowRule),
  faults: a.faults ? (JSON.parse(readFileSync(a.faults, 'utf8')) as (Omit<FaultRule, 'path'> & { path?: string })[]).map((f) => ({ ...f, path: f.path ? new RegExp(f.path) : undefined })) : undefined,
  runner: ({ pod, argv }) => (argv[0] === 'podreach' ? { argv: ['ip', 'netns', 'exec', namespaceOf(pod), ...podreach, ...argv.slice(1)] } : undefined),
  onChange: (s) => writeState(s),
  onRequest: (s) => writeState(s),
});
/** Where a probe pod runs: the namespace of the node it is pinned to (fleet lab), else the one node namespace. */
function namespaceOf(pod: { spec?: Record<string, unknown> }): string {
  const spec = (pod.spec ?? {}) as { nodeName?: string; hostNetwork?: boolean };
  const place = spec.nodeName ? nodeMap[spec.nodeName] : undefined;
  if (!place) return a['node-ns'] as string;
  return spec.hostNetwork ? place.node : place.pod;
}
// Write then rename: the test reads the file while we rewrite it, and must never see half of it.
function writeState(s: ApiServer): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify({ ...s.state(), caFile: s.caFile, requests: s.requests.length, requestLog: s.requests }));
  renameSync(`${stateFile}.tmp`, stateFile);
}
writeState(server);
process.stdout.write(`${server.url} ready\n`);

const stop = async () => {
  writeState(server);
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Bounded life: a test that forgets us does not leave a server behind for long.
setTimeout(stop, 10 * 60_000).unref();
setInterval(() => writeState(server), 1000).unref();
