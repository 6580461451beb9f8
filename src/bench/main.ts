import { describeError } from '../errors.js';
import { runBench } from './run.js';

// `npm run bench -- [suite ...] [--out dir]`
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? args[outIndex + 1] : undefined;
const names = args.filter((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1));

try {
  await runBench({ names, ...(outDir === undefined ? {} : { outDir }) });
} catch (err) {
  process.stderr.write(`landfall bench: ${describeError(err)}\n`);
  process.exitCode = 1;
}
