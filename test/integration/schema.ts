import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'report.schema.json'), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(schema);

/** Errors of a report against schema/report.schema.json, one line each ([] when valid). */
export function schemaErrors(report: unknown): string[] {
  return validate(report) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
