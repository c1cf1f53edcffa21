// The image's OCI labels: the full set the spec's pre-defined annotations name, each filled by
// scripts/image-args.ts from package.json and git (source and url from repository/homepage, created from
// the build). Checked without a build: the build itself is test/image's (slow, podman).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageBuildArgs, sourceUrl } from '../../scripts/image-args.ts';

const REPO = join(import.meta.dirname, '..', '..');
const containerfile = readFileSync(join(REPO, 'image', 'Containerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

/** The last stage: labels and ARGs there are what the image carries. */
const finalStage = containerfile.slice(containerfile.lastIndexOf('\nFROM '));
const labels = Object.fromEntries([...finalStage.matchAll(/(org\.opencontainers\.image\.[\w.]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
const declared = new Set([...finalStage.matchAll(/^ARG (\w+)/gm)].map((m) => m[1]!));

describe('OCI labels (image/Containerfile + scripts/image-args.ts)', () => {
  it('carries every pre-defined annotation that applies to a built image', () => {
    const keys = ['created', 'authors', 'url', 'documentation', 'source', 'version', 'revision', 'vendor', 'licenses', 'title', 'description', 'base.name'];
    expect(Object.keys(labels).map((k) => k.replace('org.opencontainers.image.', '')).sort()).toEqual(keys.sort());
    expect(labels['org.opencontainers.image.licenses']).toBe(pkg.license);
    expect(labels['org.opencontainers.image.description']).toBe(pkg.description);
  });

  it('every argument a label uses is declared in the last stage, and the script supplies each but the base', () => {
    const used = new Set(Object.values(labels).flatMap((v) => [...v.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!)));
    for (const a of used) expect(declared.has(a), `ARG ${a}`).toBe(true);
    expect([...used].filter((a) => a !== 'NODE_IMAGE').sort()).toEqual(Object.keys(imageBuildArgs({ revision: 'r' })).sort());
  });

  it('source and url from package.json, created from the build (RFC 3339), version as package.json', () => {
    const at = new Date('2026-12-06T16:53:19.123Z');
    const a = imageBuildArgs({ created: at, revision: 'abc' });
    expect(a.SOURCE).toBe(sourceUrl(pkg.repository));
    expect(a.SOURCE).toMatch(/^https:\/\/[^ ]+[^/]$/);
    expect(a.URL).toBe(pkg.homepage.replace(/#.*$/, ''));
    expect(a.CREATED).toBe('2026-12-06T16:53:19Z');
    expect(a.VERSION).toBe(pkg.version);
    expect(containerfile).toContain(`ARG VERSION=${pkg.version}\n`);
    expect(a.REVISION).toBe('abc');
    expect(imageBuildArgs().REVISION).toMatch(/^[0-9a-f]{40}$|^unknown$/);
  });

  it('repository spellings npm accepts become the https URL', () => {
    expect(sourceUrl({ url: 'git+https://github.com/o/r.git' })).toBe('https://github.com/o/r');
    expect(sourceUrl('github:o/r')).toBe('https://github.com/o/r');
    expect(sourceUrl('o/r')).toBe('https://github.com/o/r');
    expect(sourceUrl('git://example.org/r.git')).toBe('https://example.org/r');
    expect(sourceUrl(undefined)).toBeUndefined();
  });
});
