// -o yaml is the JSON document in YAML: read back, it is the object JSON gives, for a real report and for
// any JSON value (strings that look like YAML booleans, numbers, dates or nulls stay strings).
import fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { serialize } from '../../src/render/serialize.ts';
import { reportFrom } from '../tui/fixtures.ts';
import { ctx, ECS, evidence, OPEN, SILENT } from './diagnose/fixtures.ts';

const roundTrip = async (doc: unknown) => ({
  yaml: load(await serialize(doc, 'yaml')),
  json: JSON.parse(await serialize(doc, 'json')),
});

describe('-o yaml', () => {
  it('a diagnosis report: YAML → object equals JSON → object', async () => {
    const report = reportFrom(evidence(ECS, ctx('vpc'), SILENT, OPEN));
    const { yaml, json } = await roundTrip(report);
    expect(json.diagnosis.cause).toBe('security-group');
    expect(yaml).toEqual(json);
  });

  it('any JSON value, and strings YAML would read as something else (fast-check, seeded)', async () => {
    const tricky = fc.constantFrom('yes', 'no', 'on', 'off', 'y', 'N', 'true', 'null', '~', '', '0x10', '0o17', '1e3', '.inf', '-.nan', '2026-12-06', '2026-12-06T16:53:00Z', '10.0.0.0/8', '192.168.10.52:80', '- a', '? b', ': c', '#d', '&e', '*f', '!g', '|', '>', '"', "'", '%h', '@i', '`j', 'a: b', 'x\ny', ' lead', 'trail ');
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, tricky, fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.oneof(tricky, fc.string()), tie('v'), { maxKeys: 4 })),
    })).v;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        const { yaml, json } = await roundTrip(v);
        expect(yaml).toEqual(json);
      }),
      { seed: 13, numRuns: 2000 },
    );
  });
});
