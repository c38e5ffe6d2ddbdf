// Stable UUIDs for the Superset assets we generate: a name-based (version 5, RFC 4122) UUID of
// "lakehouse:superset:<kind>:<name>", so regenerating an asset keeps its uuid and an import with
// overwrite updates it instead of adding a copy.
import { createHash } from 'node:crypto';

// The RFC 4122 URL namespace, as Python's uuid.NAMESPACE_URL.
const NAMESPACE_URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

export function uuid5(name: string, namespace = NAMESPACE_URL): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function assetUuid(kind: 'database' | 'dataset' | 'chart' | 'dashboard', name: string): string {
  return uuid5(`lakehouse:superset:${kind}:${name}`);
}
