import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Headless Chromium as the browser tests run it: no sandbox (containers), no network of its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
];

/**
 * Builds the dashboard into dist/web, where `landfall up` serves it from (or into `outDir`, for
 * a test that serves it itself and must not race others building dist/web), so a browser test
 * sees the page of the sources under test; throws with Vite's output when the build fails.
 */
export function buildDashboard(outDir?: string): void {
  const built = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      ...(outDir === undefined ? [] : ['--outDir', outDir, '--emptyOutDir']),
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`dashboard build failed: ${built.stderr}`);
}

/** The system's Chromium (Debian's package), headless; `extraArgs` after the standard flags. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
