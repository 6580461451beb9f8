import { fileURLToPath } from 'node:url';

/**
 * Node's arguments to run a TypeScript file (or `--input-type=module -e` code importing one)
 * straight from the sources in a child process: type stripping, and the resolver that maps
 * `.js` imports onto their `.ts` files. No build, and never a stale dist/.
 */
export const TS_CHILD_ARGS: readonly string[] = [
  '--disable-warning=ExperimentalWarning',
  '--experimental-transform-types',
  '--import',
  fileURLToPath(new URL('./resolve-ts.mjs', import.meta.url)),
];
