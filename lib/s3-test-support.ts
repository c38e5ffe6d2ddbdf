// For the stack tests of lakes on object storage (scripts/test-stack.sh starts the S3-compatible
// server and exports its endpoint and throwaway credentials).
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Config } from './config.ts';
import { s3Client } from './mirror.ts';

/** The S3 settings of this process's environment, for a test config or a CLI child. */
export function s3TestEnv(): Record<string, string> {
  const keys = ['LAKEHOUSE_S3_ENDPOINT', 'LAKEHOUSE_S3_REGION', 'LAKEHOUSE_S3_URL_STYLE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  return Object.fromEntries(keys.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
}

/** Creates a bucket on the configured S3 server. */
export async function createBucket(config: Config, bucket: string): Promise<void> {
  const client = s3Client(config);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}
