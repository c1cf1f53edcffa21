import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { gatherContext } from '../context/index.ts';
import type { ContextFlags } from '../context/flags.ts';
import { cidrFacts } from '../diagnose/cidr.ts';
import { diagnose } from '../diagnose/engine.ts';
import { runProbes } from '../probe/run.ts';
import { parseTarget } from '../probe/target.ts';
import type { ProbeEvent, ProbeReport } from '../probe/types.ts';
import { buildReport, type PodreachReport } from '../render/report.ts';
import { UsageError } from './errors.ts';

export interface DiagnoseOptions {
  port?: number;
  timeoutMs?: number;
  nodeReport?: string;
  context: ContextFlags;
  env: NodeJS.ProcessEnv;
  version: string;
  onEvent?: (e: ProbeEvent) => void;
}

export function readNodeReport(path: string): ProbeReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--node-report ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--node-report ${path}: not JSON (expected the output of \`podreach probe TARGET -o json\`)`);
  }
  const r = parsed as Partial<ProbeReport>;
  if (r?.kind !== 'podreach.probe' || r.schemaVersion !== 1 || !r.icmp || !r.target || !r.from) {
    throw new UsageError(`--node-report ${path}: not a podreach probe report (kind "podreach.probe", schemaVersion 1)`);
  }
  return r as ProbeReport;
}

/** The whole pipeline: context → probe → diagnose → report. Probing starts first; context is cheap. */
export async function runDiagnose(targetInput: string, opts: DiagnoseOptions): Promise<PodreachReport> {
  const t0 = performance.now();
  const target = parseTarget(targetInput, opts.port);
  const node = opts.nodeReport ? readNodeReport(opts.nodeReport) : undefined;
  if (node && node.target.ip && target.ip && node.target.ip !== target.ip) {
    throw new UsageError(`--node-report probed ${node.target.ip}, not ${target.ip}`);
  }
  // Context first: it validates every flag, and nothing may be sent before the input is known good.
  const context = gatherContext({ flags: opts.context, env: opts.env, nodeReport: node });
  const probing = runProbes(target, { role: 'pod', timeoutMs: opts.timeoutMs, onEvent: opts.onEvent });
  const pod = await probing;
  const tProbe = performance.now();
  const resolved = { ...target, ip: pod.target.ip ?? target.ip };
  const cidr = cidrFacts(resolved.ip, context.facts);
  const diagnosis = diagnose({ target: resolved, context: context.facts, pod, node, cidr });
  const tEnd = performance.now();
  return buildReport({
    version: opts.version,
    target: resolved,
    context,
    cidr,
    pod,
    node,
    diagnosis,
    timings: { probeMs: round(tProbe - t0), diagnoseMs: round(tEnd - tProbe), totalMs: round(tEnd - t0) },
  });
}

const round = (n: number) => Math.round(n * 10) / 10;
