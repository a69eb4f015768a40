// Browser tests against a running kinema server (KINEMA_URL) using Debian's
// chromium: Playwright cannot download its own browser here, and the system
// one plays H.264/AAC through MSE, which is all hls.js needs.

import { defineConfig } from '@playwright/test'

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // The flow waits for real transcodes; one worker keeps the 2-core machine
  // from starving ffmpeg.
  workers: 1,
  fullyParallel: false,
  timeout: 240_000,
  expect: { timeout: 20_000 },
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: process.env.KINEMA_URL || 'http://127.0.0.1:18080',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    // No traces: Playwright's trace recorder intermittently fails closing a
    // second page ("file data stream has unexpected number of bytes",
    // microsoft/playwright#8287, #41351) and fails a passing test with it.
    // Screenshots and the server log explain failures well enough.
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--autoplay-policy=no-user-gesture-required',
      ],
    },
  },
})
