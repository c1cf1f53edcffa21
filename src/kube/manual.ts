// The image for the probe pod, and the kubectl command that gets the same node report by hand.
import { hostPort } from '../net/format.ts';
import { DEFAULT_TIMEOUT_MS, encodePlan, type ProbePlan } from '../probe/plan.ts';
import { parseTarget } from '../probe/target.ts';
import type { KubeSession } from './index.ts';

declare const PODREACH_VERSION: string | undefined;

function podreachVersion(): string {
  return typeof PODREACH_VERSION === 'string' ? PODREACH_VERSION : '0.1.0';
}

/** --image, else our own container's image (kubectl debug ran us from it), else podreach:<version>. */
export function probeImage(session: KubeSession | undefined, image: string | undefined): string {
  return image || session?.ownImage || `podreach:${podreachVersion()}`;
}

/** The probe's argv inside the pod: the plan travels as data, so the node sends exactly what the pod sent. */
export function probeArgv(plan: ProbePlan, extraArgs: readonly string[] = []): string[] {
  return ['podreach', 'probe', '--plan', encodePlan(plan), '-o', 'json', ...extraArgs];
}

/**
 * The plan as `podreach probe` arguments a person can read and edit, when they say exactly the same thing
 * (each target parses back to the same host, port and scheme); else the plan itself.
 */
function readableArgv(plan: ProbePlan): string[] {
  const words: string[] = [];
  for (const { target: t } of plan.items) {
    const word = `${t.scheme ? `${t.scheme}://` : ''}${hostPort(t.host, t.port)}`;
    try {
      const back = parseTarget(word);
      if (back.host !== t.host || back.port !== t.port || back.scheme !== t.scheme) return probeArgv(plan);
    } catch {
      return probeArgv(plan);
    }
    words.push(word);
  }
  const timeout = plan.timeoutMs === DEFAULT_TIMEOUT_MS ? [] : ['--timeout', String(plan.timeoutMs)];
  const patience = plan.patienceMs === undefined ? [] : ['--patience', String(plan.patienceMs)];
  return ['podreach', 'probe', ...words, ...timeout, ...patience, '-o', 'json'];
}

/**
 * `kubectl debug node/NAME` runs a pod with the host's network (and PID) namespaces on that node: the same
 * vantage point as the automatic probe pod. --profile=netadmin adds NET_RAW for ping.
 */
export function manualCommand(nodeName: string | undefined, image: string, plan: ProbePlan, extraArgs: readonly string[] = []): string {
  const node = nodeName ? `node/${nodeName}` : 'node/<NODE>';
  return [
    'kubectl debug',
    node,
    '-q',
    '--attach',
    '--profile=netadmin',
    `--image=${shellQuote(image)}`,
    '--',
    ...[...readableArgv(plan), ...extraArgs].map(shellQuote),
  ].join(' ');
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@=+,%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
