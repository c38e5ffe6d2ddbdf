#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so there is no build step between a checkout and a run.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
await run();
