#!/usr/bin/env node
// Starts the compiled CLI (npm install builds it into dist/ through the prepare script).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
