// The test API server as a process, for the lab: started with `ip netns exec <pod ns>`, it listens on
// 127.0.0.1 *inside the pod's namespace* (the only loopback podreach can reach there), and runs each probe pod's
// `podreach ...` command with `ip netns exec <node ns>` (it is root), i.e. with the node's network.
// Writes its state (url, ca, created/deleted/live pods) to --state after every change; prints "ready" on stdout.
//   node test/kube/api-server-main.ts --flavour cce-vpc --node-ns NS --podreach "node dist/podreach.mjs"
//        --token T --state FILE [--rewrite 172.16.=172.17.] [--rbac rbac.yaml,rbac-node-probe.yaml,rbac-from-env.yaml] [--restricted]
//        [--objects FILE]   (more objects, as a JSON array: what a scenario adds to the recorded cluster)
//        [--pod-start-ms MS] (a created pod stays Pending this long before its command runs: a real node's start)
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiServer, type Flavour, FLAVOURS, loadFixture, rulesFromManifests, SA_USER } from './api-server.ts';

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
  },
});
const flavour = a.flavour as Flavour;
if (!FLAVOURS.includes(flavour) || !a['node-ns'] || !a.podreach || !a.token || !a.state) {
  process.stderr.write('api-server-main: need --flavour, --node-ns, --podreach, --token, --state\n');
  process.exit(2);
}
const rewrite = (a.rewrite ?? []).map((r) => r.split('=') as [string, string]);
const fx = loadFixture(flavour, rewrite);
const podreach = (a.podreach as string).split(' ');
const stateFile = a.state as string;
const rules = a.rbac ? rulesFromManifests(a.rbac.split(',').filter(Boolean)) : [];

const server = await ApiServer.start({
  objects: [...fx.items, ...(a.objects ? JSON.parse(readFileSync(a.objects, 'utf8')) : [])],
  crds: fx['x-podreach-fixture'].crds,
  tokens: { [a.token as string]: { user: SA_USER, rules } },
  restrictedNamespaces: a.restricted ? ['default'] : [],
  podStartMs: Number(a['pod-start-ms'] ?? 0),
  runner: ({ argv }) => (argv[0] === 'podreach' ? { argv: ['ip', 'netns', 'exec', a['node-ns'] as string, ...podreach, ...argv.slice(1)] } : undefined),
  onChange: (s) => writeState(s),
});
// Write then rename: the test reads the file while we rewrite it, and must never see half of it.
function writeState(s: ApiServer): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify({ ...s.state(), caFile: s.caFile, requests: s.requests.length }));
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
