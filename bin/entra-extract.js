#!/usr/bin/env node
// Starts the compiled CLI (npm install builds it into dist/ through the prepare script).
import { main } from '../dist/src/cli/main.js';
import { applyMemoryPolicy } from '../dist/src/cli/memory-policy.js';

applyMemoryPolicy();
process.exitCode = await main(process.argv);
