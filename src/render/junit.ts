// -o junit: one <testcase> per target, for CI pipelines (the JUnit XML that Jenkins, GitLab and GitHub read).
import type { PodreachReport } from './report.ts';

/** XML 1.0 text: escapes markup and drops the control characters XML cannot carry at all. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJunit(reports: readonly PodreachReport[], totalMs: number): string {
  const failures = reports.filter((r) => !r.diagnosis.reachable).length;
  const stamp = reports[0]?.generatedAt ?? new Date().toISOString();
  const cases = reports.map((r) => {
    const d = r.diagnosis;
    const open = `    <testcase name="${xmlEscape(r.target.input)}" classname="podreach.reachability" time="${seconds(r.timings.totalMs)}"`;
    if (d.reachable) return `${open}/>`;
    const message = [d.summary, ...d.fix.map((f) => `fix: ${f}`)].join(' · ');
    const body = [
      `${d.cause} (confidence ${d.confidence.toFixed(2)}): ${d.summary}`,
      ...d.fix.map((f) => `fix: ${f}`),
      ...(d.settle ? [`to settle it: ${d.settle}`] : []),
      ...d.evidence.map((e) => `evidence: ${e}`),
    ].join('\n');
    return `${open}>\n      <failure message="${xmlEscape(message)}" type="${xmlEscape(d.cause)}">${xmlEscape(body)}</failure>\n    </testcase>`;
  });
  const attrs = `tests="${reports.length}" failures="${failures}" errors="0" time="${seconds(totalMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="podreach" ${attrs}>`,
    `  <testsuite name="podreach diagnose" ${attrs} timestamp="${xmlEscape(stamp)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
