// plugins/podreach.yaml against krew's rules (krew's internal/index/validation: apiVersion and kind, a safe
// name equal to the file name, a v-prefixed semantic version, a one-line short description, platforms with
// uri, a 64-hex sha256, bin, from/to file operations and os/arch selectors), plus the krew-index review
// convention that the short description is a few words (`kubectl krew search` shows about 50 columns).
// The sha256 is the one scripts/krew.ts gets when it rebuilds the archive now: the manifest is up to date.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveName, buildArchive, MANIFEST, PLUGIN_FILES } from '../../scripts/krew.ts';

const SHORT_DESCRIPTION_MAX = 50;
/** semver 2.0 with krew's required "v". */
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

type Platform = { selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values: string[] }[] }; uri: string; sha256: string; bin: string; files?: { from: string; to: string }[] };
const m = load(readFileSync(MANIFEST, 'utf8')) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; homepage: string; shortDescription: string; description: string; platforms: Platform[] };
};
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
const out = mkdtempSync(join(tmpdir(), 'krew-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('krew manifest plugins/podreach.yaml', () => {
  it('apiVersion, kind, a safe name equal to the file name', () => {
    expect(m.apiVersion).toBe('krew.googlecontainertools.github.com/v1alpha2');
    expect(m.kind).toBe('Plugin');
    expect(m.metadata.name).toBe(basename(MANIFEST, '.yaml'));
    expect(m.metadata.name).toMatch(/^[\w-]+$/);
  });

  it('version: v + package.json\'s semantic version', () => {
    expect(m.spec.version).toMatch(SEMVER);
    expect(m.spec.version).toBe(`v${pkg.version}`);
    expect(SEMVER.test('0.1.0') || SEMVER.test('v1.2') || SEMVER.test('v01.2.3')).toBe(false);
  });

  it(`short description: one line, at most ${SHORT_DESCRIPTION_MAX} characters; a homepage`, () => {
    expect(m.spec.shortDescription).not.toMatch(/[\r\n]/);
    expect(m.spec.shortDescription.length).toBeGreaterThan(0);
    expect(m.spec.shortDescription.length).toBeLessThanOrEqual(SHORT_DESCRIPTION_MAX);
    expect(m.spec.homepage).toMatch(/^https:\/\//);
  });

  it('platforms: uri, sha256, bin, files, os/arch selectors', () => {
    expect(m.spec.platforms.length).toBeGreaterThan(0);
    for (const p of m.spec.platforms) {
      expect(p.uri).toMatch(new RegExp(`^https://.+/${archiveName().replaceAll('.', '\\.')}$`));
      expect(p.uri).toContain(`/${m.spec.version}/`);
      expect(p.sha256).toMatch(/^[a-f0-9]{64}$/);
      expect(p.bin).toBe('kubectl-podreach');
      for (const f of p.files ?? []) expect(f.from && f.to).toBeTruthy();
      const keys = [...Object.keys(p.selector?.matchLabels ?? {}), ...(p.selector?.matchExpressions ?? []).map((e) => e.key)];
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(['os', 'arch']).toContain(k);
    }
  });

  it('the sha256 is that of the archive scripts/krew.ts builds now, which holds bin and every file, executable', () => {
    const { file, sha256 } = buildArchive(out);
    expect(sha256, 'plugin changed: run node scripts/krew.ts').toBe(m.spec.platforms[0]!.sha256);
    expect(buildArchive(out).sha256, 'reproducible').toBe(sha256);
    const listing = execFileSync('tar', ['tvzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).at(-1)).sort()).toEqual([...PLUGIN_FILES].sort());
    for (const l of listing) expect(l).toMatch(/^-rwxr-xr-x/);
    for (const f of m.spec.platforms[0]!.files ?? []) expect(PLUGIN_FILES as readonly string[]).toContain(f.from);
  });
});
