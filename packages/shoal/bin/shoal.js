#!/usr/bin/env node
// The `shoal` command (npx shoal, scripts/shoal, npm link): runs the compiled entry point.
// A committed, executable shim, so the bin link works before and after `npm run build`.
require('../dist/src/main.js');
