#!/usr/bin/env node
// The `proxima` bin: registers tsx's loader and runs the TypeScript CLI, so the command works
// straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
