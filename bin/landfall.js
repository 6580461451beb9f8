#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli/main.js'))
    throw err;
  process.stderr.write('landfall: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}
process.exitCode = await main(process.argv);
