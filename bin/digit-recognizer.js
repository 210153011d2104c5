#!/usr/bin/env node
// Thin launcher so `npx digit-recognizer` runs the bundled CLI (built by `npm run build`).
require('../dist/cli.js');
