// Runs the built CLI (dist/podreach.mjs, made by `npm test`'s build step) inside a lab namespace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, Role } from '../lab/lab.ts';
import { NODE } from '../lab/lab.ts';
import type { PodreachReport } from '../../src/render/report.ts';

export const BUNDLE = join(import.meta.dirname, '..', '..', 'dist', 'podreach.mjs');

export async function podreach(lab: Lab, role: Role, args: string[], timeoutMs = 8000) {
  const r = await lab.exec(role, [NODE, BUNDLE, ...args], { timeoutMs });
  return r;
}

export function targetArg(lab: Lab): string {
  return `${lab.scenario.target.host}:${lab.scenario.target.port}`;
}

/** `podreach probe` on the node, saved where the pod-side run can read it. */
export async function nodeReport(lab: Lab): Promise<{ file: string; cleanup: () => void }> {
  const r = await podreach(lab, 'node', ['probe', targetArg(lab), '-o', 'json']);
  if (!r.stdout.trim().startsWith('{')) throw new Error(`node probe printed no JSON (exit ${r.code}): ${r.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'podreach-node-'));
  const file = join(dir, 'node.json');
  writeFileSync(file, r.stdout);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function diagnoseJson(lab: Lab, extra: string[] = []): Promise<{ report: PodreachReport; code: number | null; stderr: string; ms: number }> {
  const r = await podreach(lab, 'pod', ['diagnose', targetArg(lab), ...lab.scenario.flags, ...extra, '-o', 'json']);
  let report: PodreachReport;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`diagnose printed no JSON (exit ${r.code}): ${r.stderr || r.stdout}`);
  }
  return { report, code: r.code, stderr: r.stderr, ms: r.ms };
}
