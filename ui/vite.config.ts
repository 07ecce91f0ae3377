// Build config for the admin UI. Run from the repo root: `npm run build:ui`.
// The server serves ui/dist/index.html for the UI routes and ui/dist/assets/* as static files, using the
// .br / .gz copies that the precompress plugin writes beside each file.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './build/precompress.ts';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.HERALD_DEV_API ?? 'http://127.0.0.1:8080';

/** Vendor chunks: each changes only when its packages do, so browsers keep them cached across UI releases. */
const VENDOR_CHUNKS: Array<{ name: string; test: RegExp }> = [
  { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
  { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
  { name: 'icons', test: /node_modules[\\/]@ant-design[\\/]icons(-svg)?[\\/]/ },
  { name: 'antd-core', test: /node_modules[\\/](@rc-component|@ant-design|rc-[^\\/]+|dayjs|@babel[\\/]runtime|classnames|stylis|@emotion)[\\/]/ },
  { name: 'antd', test: /node_modules[\\/]antd[\\/]/ },
  { name: 'vendor', test: /node_modules[\\/]/ },
];

export default defineConfig({
  root: uiRoot,
  base: '/',
  plugins: [react(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: VENDOR_CHUNKS.map((chunk, index) => ({ ...chunk, priority: VENDOR_CHUNKS.length - index })),
        },
      },
    },
  },
  // `vite --config ui/vite.config.ts` for UI work: the API is proxied to a running Herald.
  server: { proxy: { '/v1': apiTarget } },
});
