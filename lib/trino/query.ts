// Placeholder until the Trino serving work lands: `query --engine trino` says so clearly.
import type { Config } from '../config.ts';
import { UsageError } from '../errors.ts';

export async function queryTrino(_config: Config, _sql: string): Promise<Record<string, unknown>[]> {
  throw new UsageError('query --engine trino: Trino serving is not available in this build yet');
}
