// Validates Spotify response bodies against sonallux's fixed OpenAPI definition (shared data), used by
// the fake server and its tests. OpenAPI 3.0 `nullable` is converted to JSON Schema, and three fields
// the real API returns as null although the spec does not say so are made nullable:
// PlayHistoryObject.context, CursorPagingObject.next (its description says "null if none") and
// CursorPagingObject.cursors (null on an empty page).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export const SPEC_FILE = join('spotify-api', 'sonallux__spotify-web-api', 'fixed-spotify-open-api.yml');

type Node = Record<string, unknown>;

/** `nullable: true` → anyOf [schema, null]; works also where the schema is only an allOf/$ref. */
export function convertNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node as Node)) out[k] = convertNullable(v);
  if (out.nullable === true) {
    delete out.nullable;
    const { description, ...rest } = out;
    return { description, anyOf: [rest, { type: 'null' }] };
  }
  delete out.nullable;
  return out;
}

function patchSpec(spec: Node): Node {
  const schemas = (spec.components as Node).schemas as Record<string, Node>;
  const props = (name: string) => schemas[name].properties as Record<string, Node>;
  props('PlayHistoryObject').context.nullable = true;
  props('CursorPagingObject').next.nullable = true;
  props('CursorPagingObject').cursors.nullable = true;
  return spec;
}

export interface SpecValidator {
  recentlyPlayed: ValidateFunction;
  audioFeatures: ValidateFunction;
  audioFeaturesObject: ValidateFunction;
}

const cache = new Map<string, SpecValidator>();

export function loadSpecValidator(sharedDataDir: string): SpecValidator {
  const file = join(sharedDataDir, SPEC_FILE);
  const hit = cache.get(file);
  if (hit) return hit;
  const spec = convertNullable(patchSpec(parseYaml(readFileSync(file, 'utf8')) as Node)) as Node;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (a: Ajv) => void;
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'float', 'double', 'base64']) ajv.addFormat(f, true);
  ajv.addSchema({ ...spec, $id: 'spotify' });
  const ref = (name: string) => ajv.compile({ $ref: `spotify#/components/schemas/${name}` });
  const v: SpecValidator = {
    recentlyPlayed: ref('CursorPagingPlayHistoryObject'),
    audioFeaturesObject: ref('AudioFeaturesObject'),
    audioFeatures: ajv.compile({
      type: 'object', required: ['audio_features'],
      properties: { audio_features: { type: 'array', items: { anyOf: [{ $ref: 'spotify#/components/schemas/AudioFeaturesObject' }, { type: 'null' }] } } },
    }),
  };
  cache.set(file, v);
  return v;
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}
