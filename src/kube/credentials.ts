// Where to find API credentials, in the order. Plain fs checks: no client library here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type Credentials =
  | {
      kind: 'serviceaccount';
      /** Directory holding token, ca.crt, namespace. */
      dir: string;
      server: string;
      /** Where we found it ("service account", "service account of pid 7 (kubectl debug --target)"). */
      describe: string;
    }
  | {
      kind: 'kubeconfig';
      /** Files to merge (KUBECONFIG may list several). */
      files: string[];
      describe: string;
    };

export interface CredentialOptions {
  kubeconfig?: string;
  context?: string;
  env: NodeJS.ProcessEnv;
}

/** How many /proc entries we look at for a `kubectl debug --target` sibling's token. */
const MAX_PROC_SCAN = 512;

/**
 * Flags first (--kubeconfig, or --context which means "use my kubeconfig"), then the pod's own service
 * account, then a sibling container's token through /proc/<pid>/root (an ephemeral container started with
 * `kubectl debug --target` shares the PID namespace but gets no token), then $KUBECONFIG / ~/.kube/config.
 */
export function findCredentials(opts: CredentialOptions): Credentials | undefined {
  const { env } = opts;
  if (opts.kubeconfig) {
    return { kind: 'kubeconfig', files: [opts.kubeconfig], describe: `kubeconfig ${opts.kubeconfig}` };
  }
  const fromEnv = kubeconfigFromEnv(env);
  if (opts.context && fromEnv) return fromEnv;

  // PODREACH_SERVICEACCOUNT_DIR: for a token mounted elsewhere (kubectl debug --custom) and for tests.
  const saDir = env.PODREACH_SERVICEACCOUNT_DIR || SERVICE_ACCOUNT_DIR;
  const server = inClusterServer(env);
  if (hasToken(saDir) && server) {
    return { kind: 'serviceaccount', dir: saDir, server, describe: `service account (${saDir})` };
  }
  // Only inside a pod (service env present) and only when our own token is absent: on a node with host PID,
  // other pods' tokens are not ours to use.
  if (server) {
    const sibling = siblingServiceAccount(saDir);
    if (sibling) {
      return {
        kind: 'serviceaccount',
        dir: sibling.dir,
        server,
        describe: `service account of pid ${sibling.pid} (kubectl debug --target)`,
      };
    }
  }
  return fromEnv;
}

function kubeconfigFromEnv(env: NodeJS.ProcessEnv): Credentials | undefined {
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f && existsSync(f));
  if (list.length > 0) return { kind: 'kubeconfig', files: list, describe: `$KUBECONFIG (${list.join(delimiter)})` };
  const home = env.HOME || safeHome();
  const file = home ? join(home, '.kube', 'config') : '';
  if (file && existsSync(file)) return { kind: 'kubeconfig', files: [file], describe: `kubeconfig ${file}` };
  return undefined;
}

/** https://KUBERNETES_SERVICE_HOST:PORT, as client-go builds it (http for the insecure ports, as client-node does). */
function inClusterServer(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const h = host.includes(':') ? `[${host}]` : host;
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  return `${scheme}://${h}:${port}`;
}

function hasToken(dir: string): boolean {
  try {
    return readFileSync(join(dir, 'token'), 'utf8').trim().length > 0;
  } catch {
    return false;
  }
}

function siblingServiceAccount(saPath: string): { pid: number; dir: string } | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const self = process.pid;
  let seen = 0;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    if (++seen > MAX_PROC_SCAN) break;
    const pid = Number(name);
    if (pid === self || pid === process.ppid) continue;
    const dir = `/proc/${pid}/root${saPath}`;
    if (hasToken(dir)) return { pid, dir };
  }
  return undefined;
}

function safeHome(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}
