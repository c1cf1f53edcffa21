// render/ and cli/ show what the diagnosis returned; they never re-derive it from the engine's helpers.
// Allowed from src/diagnose: the entry point (index.ts) and type-only imports of types.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const DIAGNOSE = join(ROOT, 'src', 'diagnose');

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The imports of `file` (its text) that reach into src/diagnose other than through the entry point and types. */
export function internalImports(file: string, text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const typeOnly = m[2] !== undefined;
    const spec = m[3] ?? m[4] ?? '';
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(`${DIAGNOSE}/`)) continue;
    const rel = relative(DIAGNOSE, target);
    if (rel === 'index.ts' || (rel === 'types.ts' && typeOnly)) continue;
    bad.push(`${relative(ROOT, file)}: ${m[0].trim()}`);
  }
  return bad;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('render/ and cli/ use the diagnosis, not its internals', () => {
  it('the check catches an internal import, a value import of types.ts and a dynamic import', () => {
    const file = join(ROOT, 'src', 'render', 'tui', 'x.ts');
    expect(internalImports(file, "import { signals } from '../../diagnose/signals.ts';")).toHaveLength(1);
    expect(internalImports(file, "import type { CidrFacts } from '../../diagnose/cidr.ts';")).toHaveLength(1);
    expect(internalImports(file, "import { type Diagnosis } from '../../diagnose/types.ts';")).toHaveLength(1);
    expect(internalImports(file, "const { diagnose } = await import('../../diagnose/engine.ts');")).toHaveLength(1);
    expect(internalImports(file, "export { CAUSE_IDS } from '../../diagnose/causes/index.ts';")).toHaveLength(1);
    expect(internalImports(file, "import {\n  judge,\n  predict,\n} from '../../diagnose/index.ts';\nimport type { Diagnosis } from '../../diagnose/types.ts';")).toEqual([]);
  });

  it('no file under src/render or src/cli imports diagnose internals', () => {
    const files = [...sources(join(ROOT, 'src', 'render')), ...sources(join(ROOT, 'src', 'cli'))];
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => internalImports(f, readFileSync(f, 'utf8')))).toEqual([]);
  });
});
