/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The build lands in the Go package that embeds it, so `go build` after
// `npm run build` ships the UI. In dev, /api is proxied to a local server.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../internal/web/dist',
    emptyOutDir: true,
    // hls.js alone is ~400 KiB; one chunk is fine for a self-hosted admin UI.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': process.env.KINEMA_URL || 'http://127.0.0.1:8080',
      '/media': process.env.KINEMA_URL || 'http://127.0.0.1:8080',
    },
  },
  test: {
    // Pure logic runs in node; DOM tests opt in with a @vitest-environment jsdom comment.
    environment: 'node',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    // jsdom tests that click through several steps took over vitest's 5 s
    // default on a busy 2-core machine; they wait for the UI, not on time.
    testTimeout: 20_000,
  },
})
