// Build config for the admin UI. Run from the repo root: `npm run build:ui`.
// The server serves ui/dist/index.html for the UI routes and ui/dist/assets/* as static files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.HERALD_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: uiRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // antd is large; one vendor chunk is expected and cached well.
    chunkSizeWarningLimit: 2000,
  },
  // `vite --config ui/vite.config.ts` for UI work: the API is proxied to a running Herald.
  server: { proxy: { '/v1': apiTarget } },
});
