import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = (p: string) => decodeURIComponent(new URL(p, import.meta.url).pathname);

// The dashboard builds into dist/web, where the gateway serves it from (src/gateway/static.ts).
// It imports the generated protobuf code from src/gen directly, so browser and server decode
// Envelopes with the same code.
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `vite --config web/vite.config.ts` during development: the API and gateway of `landfall up`.
    proxy: {
      '/api': 'http://127.0.0.1:8787',
      '/ws': { target: 'ws://127.0.0.1:8787', ws: true },
    },
  },
});
