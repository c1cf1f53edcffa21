// --from-env: the dependencies an app is configured with, read from its environment the way an SRE would read
// it: URLs and DSNs, JDBC URLs, FOO_HOST with FOO_PORT, FOO_ADDR, and plain host:port values. Pure.
import { isIP } from 'node:net';
import { redactTarget } from '../probe/target.ts';

export interface Dependency {
  /** The target as podreach takes it (credentials already redacted). */
  input: string;
  /** Where it was found: "env DATABASE_URL", "env REDIS_HOST + REDIS_PORT". */
  from: string;
}

/** Set by Kubernetes, the runtime or podreach itself: never an app's dependency. */
const IGNORED_NAME = [
  /^KUBERNETES_/,
  /_SERVICE_(HOST|PORT)(_|$)/, // service links: one pair per Service in the namespace
  /_PORT_\d+_(TCP|UDP|SCTP)(_|$)/,
  /^PODREACH_/,
  /^(POD_IP|NODE_IP|HOST_IP|HOSTNAME|HOME|PATH|PWD|SHELL|TERM|LANG|LC_\w+|USER|NODE_\w+|NPM_\w+|npm_\w+)$/,
];
/** A credential's own variable: its value is never shown, even when it looks like host:port. */
const CREDENTIAL_NAME = /(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?)$/i;
/** Docker-link style `FOO_PORT=tcp://10.247.1.2:6379`: a service link, not configuration. */
const SERVICE_LINK_VALUE = /^(tcp|udp|sctp):\/\/[\d.]+:\d+$/;

const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i;
// jdbc:mysql://host:3306/db, jdbc:postgresql://host/db, jdbc:sqlserver://host:1433;databaseName=x
const JDBC = /^jdbc:([a-z0-9]+):\/\/([^\s/;?]+)/i;
const JDBC_SCHEMES: Readonly<Record<string, string>> = { mysql: 'mysql', mariadb: 'mysql', postgresql: 'postgres', sqlserver: 'tcp', oracle: 'tcp' };
const JDBC_PORTS: Readonly<Record<string, number>> = { sqlserver: 1433, oracle: 1521 };
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]{0,252}[a-z0-9_])?):(\d{1,5})$/i;
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

function looksLikeHost(v: string): boolean {
  return isIP(v) !== 0 || (HOST.test(v) && !/^\d+$/.test(v) && v.length <= 253);
}

/** The target a single value names, if it names one. */
function fromValue(value: string): string | undefined {
  const v = value.trim();
  const jdbc = JDBC.exec(v);
  if (jdbc) {
    const kind = (jdbc[1] as string).toLowerCase();
    const hostPart = (jdbc[2] as string).replace(/^[^@]*@/, '');
    const scheme = JDBC_SCHEMES[kind] ?? 'tcp';
    const port = JDBC_PORTS[kind];
    const withPort = port !== undefined && !/:\d+$/.test(hostPart) ? `${hostPart}:${port}` : hostPart;
    return scheme === 'tcp' && !/:\d+$/.test(withPort) ? undefined : `${scheme}://${withPort}`;
  }
  if (URL_VALUE.test(v) && !SERVICE_LINK_VALUE.test(v)) {
    // Several hosts (redis://a:1,b:2, mongodb://h1,h2/db): each is a dependency; keep the first here.
    return maskUserinfo(v).replace(/^([^:]+:\/\/(?:[^@/]*@)?[^,/]+),[^/]*/, '$1');
  }
  const hp = HOST_PORT.exec(v);
  if (hp && looksLikeHost((hp[1] as string).replace(/^\[|\]$/g, '')) && Number(hp[2]) >= 1 && Number(hp[2]) <= 65535) return v;
  return undefined;
}

/**
 * A URL's password masked the way a URL parser (WHATWG) splits the authority: it ends at the first / ? #, and
 * the userinfo runs to its last @ (a password may hold an @). An @ further on, before any ? or #, means a
 * password with a / in it (the app's driver may cope; the target must not show it): the userinfo then runs to
 * that @. redactTarget (the general rule for what users type) cannot know it is looking at a password.
 */
function maskUserinfo(url: string): string {
  const m = /^([^:/?#]+:\/\/)(.*)$/s.exec(url);
  if (!m) return url;
  const [, scheme, rest] = m as unknown as [string, string, string];
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const beforeQuery = rest.split(/[?#]/)[0] as string;
  const at = authority.includes('@') ? authority.lastIndexOf('@') : beforeQuery.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  return colon < 0 ? url : `${scheme}${userinfo.slice(0, colon)}:***${rest.slice(at)}`;
}

/** A variable's name as an origin shows it; `via` adds where its value came from ("configmap shop key URL"). */
export type DescribeVar = (name: string) => string;

/**
 * The dependencies in an environment, each once, in the order of the variable names. `origin` prefixes where
 * each was found ("env", "pod shop/api container app env").
 */
export function dependenciesFromEnv(env: Readonly<Record<string, string | undefined>>, origin = 'env', describe: DescribeVar = (n) => n): Dependency[] {
  const names = Object.keys(env)
    .filter((n) => !IGNORED_NAME.some((re) => re.test(n)) && !CREDENTIAL_NAME.test(n))
    .sort();
  const out: Dependency[] = [];
  const seen = new Set<string>();
  const add = (input: string, from: string) => {
    const redacted = redactTarget(input);
    if (seen.has(redacted)) return;
    seen.add(redacted);
    out.push({ input: redacted, from: `${origin} ${from}` });
  };
  for (const name of names) {
    const value = env[name];
    if (!value) continue;
    // FOO_HOST + FOO_PORT (also FOO_HOSTNAME, FOO_SERVER): one target from the pair.
    const pair = /^(.*?)_?(HOST|HOSTNAME|SERVER)$/i.exec(name);
    if (pair && looksLikeHost(value.trim())) {
      const stem = pair[1] as string;
      const portName = [`${stem}_PORT`, `${stem}PORT`].find((p) => /^\d{1,5}$/.test(env[p]?.trim() ?? ''));
      if (portName) {
        add(`${value.trim().includes(':') ? `[${value.trim()}]` : value.trim()}:${Number(env[portName])}`, `${describe(name)} + ${describe(portName)}`);
        continue;
      }
    }
    const target = fromValue(value);
    if (target) add(target, describe(name));
  }
  return out;
}

/** Several lists as one: each target once, where it was found first. */
export function mergeDependencies(...lists: Dependency[][]): Dependency[] {
  const seen = new Set<string>();
  return lists.flat().filter((d) => !seen.has(d.input) && seen.add(d.input));
}
