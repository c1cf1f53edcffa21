import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const load = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', name), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema(load('report.schema.json'));
const validate = ajv.getSchema('podreach.report.v1') as import('ajv').ValidateFunction;
const validateSweep = ajv.compile(load('sweep.schema.json'));

const errors = (v: import('ajv').ValidateFunction, doc: unknown): string[] =>
  v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);

/** Errors of a report against schema/report.schema.json, one line each ([] when valid). */
export function schemaErrors(report: unknown): string[] {
  return errors(validate, report);
}

/** Errors of a sweep against schema/sweep.schema.json (its reports against report.schema.json). */
export function sweepSchemaErrors(sweep: unknown): string[] {
  return errors(validateSweep, sweep);
}

const validateFleet = ajv.compile(load('fleet.schema.json'));

/** Errors of a fleet document against schema/fleet.schema.json (its probe reports against report.schema.json). */
export function fleetSchemaErrors(doc: unknown): string[] {
  return errors(validateFleet, doc);
}

const validateAllowlist = ajv.compile(load('allowlist.schema.json'));

/** Errors of `podreach allowlist -o json` against schema/allowlist.schema.json. */
export function allowlistSchemaErrors(doc: unknown): string[] {
  return errors(validateAllowlist, doc);
}
