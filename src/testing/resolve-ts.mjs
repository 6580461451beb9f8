// Lets Node run the TypeScript sources directly (with --experimental-transform-types, which
// handles the generated enums that plain type stripping refuses): source files import each
// other as `./x.js`, as tsc wants, and this maps such an import to `./x.ts` when no `.js` exists.
// Used by tests that run Landfall in a child process without a build.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (err) {
      const relative = specifier.startsWith('./') || specifier.startsWith('../');
      if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js'))
        throw err;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
