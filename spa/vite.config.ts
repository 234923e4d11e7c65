import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The BFF host (ASP.NET Core) listens here during development.
const bffOrigin = 'http://localhost:5000';

// Everything the BFF owns is forwarded so that the browser only ever
// talks to a single origin, exactly like in production.
const bffPaths = ['/bff', '/api', '/public-api', '/signin-oidc', '/signout-callback-oidc'];

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(
      bffPaths.map((path) => [
        path,
        {
          target: bffOrigin,
          // Keep the browser's Host header so the BFF builds redirect URIs
          // (e.g. /signin-oidc) that come back through this dev server.
          changeOrigin: false,
          secure: false,
          xfwd: true,
        },
      ]),
    ),
  },
  build: {
    // The BFF host serves the SPA from its own origin.
    outDir: '../bff/Bff.Host/wwwroot',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/testing/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
