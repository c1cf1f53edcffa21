// The probe-report part of schema/report.schema.json, compiled: the one check for every probe report
// that comes from outside (src/probe/report.ts). Unknown fields are removed, never copied on.
// The bundle does not ship this module: scripts/build.ts puts the same validator there as ajv standalone
// code, generated from `ajv` below at build time (ajv stays a devDependency and no run compiles a schema).
import Ajv2020 from 'ajv/dist/2020.js';
import schema from '../../schema/report.schema.json' with { type: 'json' };
import type { ProbeReport } from './types.ts';

export const PROBE_REPORT_SCHEMA = `${schema.$id}#/$defs/probeReport`;

export const ajv = new Ajv2020.default({
  strict: true,
  allowUnionTypes: true,
  // Only the first error: the message names one thing to fix.
  allErrors: false,
  removeAdditional: 'all',
  validateFormats: false,
  code: { source: true, esm: true },
}).addSchema(schema);

export default ajv.compile<ProbeReport>({ $ref: PROBE_REPORT_SCHEMA });
