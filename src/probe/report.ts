// Intake of probe reports made elsewhere (a node report file, the node-probe pod's log, later peers): one
// check for all of them. A report is read bounded (size, time, regular files only), parsed, checked
// against the probe-report part of schema/report.schema.json with unknown fields removed, and its
// addresses checked; what fails is named in one line ("/tcp/status must be one of open, refused, ...").
import { constants, fstatSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { isIp, normalizeCidr } from '../net/ip.ts';
import type { ProbeReport, Target } from './types.ts';

/** A probe report is a few kB; anything past this is not one. */
export const MAX_REPORT_BYTES = 1024 * 1024;

/** A checked report, or why it cannot be used (one line, no trailing period). */
export type Intake = { report: ProbeReport; why?: undefined } | { report?: undefined; why: string };

/** What a text that does not even parse is told. */
export const NOT_JSON = 'not JSON (expected the output of `podreach probe TARGET -o json`)';
const NOT_A_REPORT = 'not a podreach probe report (kind "podreach.probe", schemaVersion 1; the output of `podreach probe TARGET -o json`)';

/** Parses and checks a report's text. */
export function parseProbeReport(text: string): Promise<Intake> {
  return parseBounded(text, MAX_REPORT_BYTES, checkProbeReport);
}

/** JSON within `max` bytes, then `check`ed; what is too big or not JSON is named. */
export async function parseBounded<T>(text: string, max: number, check: (v: unknown) => Promise<T>, limit = capWords(max)): Promise<T | { why: string }> {
  const size = Buffer.byteLength(text);
  if (size > max) return { why: tooBig(size, limit) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { why: NOT_JSON };
  }
  return check(parsed);
}

/** Checks a parsed report in place: unknown fields are removed. */
export async function checkProbeReport(v: unknown): Promise<Intake> {
  const r = v as Partial<ProbeReport> | null;
  if (typeof r !== 'object' || r === null || Array.isArray(r) || r.kind !== 'podreach.probe') return { why: NOT_A_REPORT };
  const validate = await validator();
  if (!validate(v)) return { why: schemaError(validate.errors?.[0]) };
  const report = v as ProbeReport;
  const bad = addressFields(report).find(([, a]) => a !== undefined && !isIp(a));
  if (bad) return { why: `${bad[0]} must be an IP address` };
  return { report };
}

// Loaded on first use: runs without a report pay nothing for it. Kept: each import() resolves anew.
let loading: Promise<typeof import('./report-schema.ts').default> | undefined;
const validator = () => (loading ??= import('./report-schema.ts').then((m) => m.default));

/** Loads the report validator now, for a report that is on its way (a probe pod's log). */
export function preloadReportChecks(): void {
  validator().catch(() => {
    loading = undefined; // the check itself tries again, and says why
  });
}

/**
 * Why a node's report cannot stand for `target` (undefined when it can): it must name the address it
 * probed, and that must be the target's (for a name, the same name), on the same port.
 */
export function targetMismatch(report: ProbeReport, target: Target): string | undefined {
  const probed = report.target;
  if (probed.ip === undefined) {
    // Only a name the node could not resolve leaves the address out; its DNS result is the evidence.
    if (target.ip !== undefined || report.dns === undefined) return `/target/ip is missing: the report does not say which address it probed (${shown(probed.host)} did not resolve?)`;
    if (probed.host.toLowerCase() !== target.host.toLowerCase()) return `it probed ${shown(probed.host)}, not ${target.host}`;
    return undefined;
  }
  if (target.ip !== undefined ? normalizeCidr(probed.ip) !== normalizeCidr(target.ip) : probed.host.toLowerCase() !== target.host.toLowerCase()) {
    return `it probed ${target.ip !== undefined ? probed.ip : shown(probed.host)}, not ${target.ip ?? target.host}`;
  }
  if (probed.port !== undefined && target.port !== undefined && probed.port !== target.port) {
    return `it probed port ${probed.port}, not ${target.port}`;
  }
  return undefined;
}

/** Names that mean standard input: `kubectl debug -i ... --node-report /dev/stdin < node.json` pipes it in. */
const STDIN = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * Reads a report file: a regular file, or a pipe on standard input (a named FIFO or a device could
 * block or never end), at most MAX_REPORT_BYTES, within `timeoutMs`, never blocking the event loop
 * (signals are handled meanwhile).
 */
export function readProbeReportFile(path: string, timeoutMs: number, stdin: NodeJS.ReadableStream = process.stdin): Promise<Intake> {
  return readReport(path, timeoutMs, stdin, MAX_REPORT_BYTES, parseProbeReport);
}

/** The most a report (count 1) or a probe set of `count` reports can take: 1 MB each, up to MAX_SET_BYTES. */
export const reportsCap = (count: number) => Math.min(MAX_SET_BYTES, MAX_REPORT_BYTES * Math.max(1, count));

/** As readProbeReportFile, for a probe report or a probe set (`--node-report` of a sweep of `count` targets). */
export function readProbeReportsFile(path: string, timeoutMs: number, count: number, stdin: NodeJS.ReadableStream = process.stdin): Promise<SetIntake> {
  const max = reportsCap(count);
  return readReport(path, timeoutMs, stdin, max, (text) => parseProbeReports(text, max));
}

async function readReport<T>(path: string, timeoutMs: number, stdin: NodeJS.ReadableStream, max: number, parse: (text: string) => Promise<T>): Promise<T | { why: string }> {
  const got = await readBoundedText(path, timeoutMs, max, stdin);
  return 'why' in got ? got : parse(got.text);
}

/**
 * A file from the user (a report, a list of targets): a regular file, or a pipe on standard input, at most
 * `max` bytes, within `timeoutMs`, never blocking the event loop. `limit` words the cap in messages.
 */
export async function readBoundedText(path: string, timeoutMs: number, max: number, stdin: NodeJS.ReadableStream = process.stdin, limit = capWords(max)): Promise<{ text: string } | { why: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ why: string }>((resolve) => {
    timer = setTimeout(() => resolve({ why: `not read within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([STDIN.has(path) ? readStdin(stdin, max, limit) : readBounded(path, max, limit), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function readStdin(stdin: NodeJS.ReadableStream, max: number, limit: string): Promise<{ text: string } | { why: string }> {
  let st;
  try {
    st = fstatSync(0);
  } catch (e) {
    return { why: `standard input: ${errnoWhy(e as NodeJS.ErrnoException)}` };
  }
  if (st.isFile()) return readBounded('/dev/stdin', max, limit);
  if (!st.isFIFO() && !st.isSocket()) return { why: 'standard input is a terminal or a device, not a report (pipe one in: --node-report /dev/stdin < node.json)' };
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stdin) {
    const b = Buffer.from(chunk);
    n += b.length;
    // Leaving the loop closes the stream: the rest is never read.
    if (n > max) return { why: `standard input: over the ${limit} can be` };
    chunks.push(b);
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}

async function readBounded(path: string, max: number, limit: string): Promise<{ text: string } | { why: string }> {
  let file;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (a thread stuck there would also hold up exit).
    // node:fs/promises (and readline behind it) loads only when a file is read.
    file = await process.getBuiltinModule('node:fs/promises').open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return { why: errnoWhy(e as NodeJS.ErrnoException) };
  }
  try {
    const st = await file.stat();
    if (!st.isFile()) return { why: `not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device'})` };
    if (st.size > max) return { why: tooBig(st.size, limit) };
    // The size can change under us (and /proc says 0): read one byte past the cap to notice.
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = (await file.read(buf, n, buf.length - n, n)).bytesRead;
    if (n > max) return { why: tooBig(n, limit) };
    return { text: buf.toString('utf8', 0, n) };
  } catch (e) {
    return { why: errnoWhy(e as NodeJS.ErrnoException) };
  } finally {
    await file.close().catch(() => {});
  }
}

function errnoWhy(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EISDIR') return 'not a regular file (a directory)';
  return `cannot read it (${e.code ?? e.message})`;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const capWords = (max: number) => (max > MAX_REPORT_BYTES ? `${mb(max)} a probe set of ${max / MAX_REPORT_BYTES} reports` : `${mb(max)} a probe report`);
const tooBig = (bytes: number, limit = capWords(MAX_REPORT_BYTES)) => `${bytes > 10 * 1024 * 1024 ? mb(bytes) : `${bytes} bytes`}, over the ${limit} can be`;

/** The fields that hold addresses the diagnosis reads, with their JSON paths. */
function addressFields(r: ProbeReport): [string, string | undefined][] {
  return [
    ['/target/ip', r.target.ip],
    ['/from/gateway', r.from.gateway],
    ['/gateway/ip', r.gateway?.ip],
    ...r.from.addresses.map((a, i): [string, string] => [`/from/addresses/${i}`, a]),
    ...(r.dns?.addresses ?? []).map((a, i): [string, string] => [`/dns/addresses/${i}`, a]),
  ];
}

/** ajv's first error as one line that names the field and what it must be. */
function schemaError(e: ErrorObject | undefined): string {
  if (!e) return NOT_A_REPORT;
  const at = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${e.instancePath}/${String(p.missingProperty)} is missing`;
    case 'enum':
      return `${at} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${at} must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `${at} must be ${String(p.type).split(',').map((t) => (t === 'null' ? t : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`)).join(' or ')}`;
    default:
      return `${at} ${e.message ?? 'is not valid'}`;
  }
}

/** A string from a report, safe to print on one line. */
export function shown(s: string): string {
  return /^[\w.:\-/[\]@]{1,100}$/.test(s) ? s : JSON.stringify(s.length > 100 ? `${s.slice(0, 100)}…` : s);
}

/** `podreach probe` with several targets: one document holding a report per plan item, in plan order. */
export interface ProbeSet {
  kind: 'podreach.probe-set';
  schemaVersion: 1;
  reports: ProbeReport[];
}

export function probeSet(reports: ProbeReport[]): ProbeSet {
  return { kind: 'podreach.probe-set', schemaVersion: 1, reports };
}

/** A probe set: room for a large sweep's reports (each still checked against the probe-report schema). */
export const MAX_SET_BYTES = 32 * MAX_REPORT_BYTES;

/** The checked reports of a probe report or a probe set, or why they cannot be used. */
export type SetIntake = { reports: ProbeReport[]; why?: undefined } | { reports?: undefined; why: string };

/** A probe report, or a probe set whose every report passes checkProbeReport (unknown fields removed). */
export async function checkProbeReports(v: unknown): Promise<SetIntake> {
  const set = v as Partial<ProbeSet> | null;
  if (typeof set !== 'object' || set === null || set.kind !== 'podreach.probe-set') {
    const one = await checkProbeReport(v);
    return one.why !== undefined ? { why: one.why } : { reports: [one.report] };
  }
  if (set.schemaVersion !== 1) return { why: '/schemaVersion must be 1' };
  if (!Array.isArray(set.reports) || set.reports.length === 0) return { why: '/reports must be a non-empty list' };
  const reports: ProbeReport[] = [];
  for (const [i, r] of set.reports.entries()) {
    const got = await checkProbeReport(r);
    if (got.why !== undefined) return { why: `/reports/${i}${got.why.startsWith('/') ? '' : ': '}${got.why}` };
    reports.push(got.report);
  }
  return { reports };
}

export function parseProbeReports(text: string, max = MAX_SET_BYTES): Promise<SetIntake> {
  return parseBounded(text, max, checkProbeReports);
}
