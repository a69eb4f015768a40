// Shared pieces of the browser tests: the accounts they use, screenshots,
// console watching, signing in through the UI and Shaka on a bare page.

import { expect, request, type Page, type TestInfo } from '@playwright/test'
import { createRequire } from 'node:module'

/** The admin the first test creates through the setup page; the others sign in as it. */
export const ADMIN = { email: 'admin@example.com', name: 'Ada Admin', password: 'correct-horse-battery' }
/** The viewer the accounts test invites. */
export const VIEWER = { email: 'viewer@example.com', name: 'Vic Viewer', password: 'viewer-password-1' }

/**
 * shot saves test-results/<test>/<name>.png and attaches it to the HTML
 * report. Viewport-only keeps hover states (a full-page capture resizes the
 * viewport and drops them).
 */
export async function shot(page: Page, info: TestInfo, name: string, fullPage = true) {
  const file = info.outputPath(`${name}.png`)
  await page.screenshot({ path: file, fullPage })
  await info.attach(name, { path: file, contentType: 'image/png' })
}

/**
 * watchConsole fails the test on page errors and console errors we did not
 * expect. A signed-out page load always asks GET /api/v1/auth/session,
 * whose 401 ("nobody is signed in") Chromium logs as a resource error.
 */
export function watchConsole(page: Page, allowed: RegExp[] = []) {
  const ok = [/status of 401/, ...allowed]
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !ok.some((re) => re.test(m.text()))) errors.push(`console: ${m.text()}`)
  })
  return errors
}

/**
 * ensureAdmin makes the admin account over the API when the server is still
 * fresh, so a spec run on its own (e.g. only the live test) can sign in.
 */
export async function ensureAdmin(baseURL: string) {
  const api = await request.newContext({ baseURL })
  try {
    const setup = await (await api.get('/api/v1/auth/setup')).json()
    if (setup.needs_setup) {
      const res = await api.post('/api/v1/auth/signup', { data: ADMIN })
      expect(res.status(), await res.text()).toBe(201)
    }
  } finally {
    await api.dispose()
  }
}

/** signIn signs in through the sign-in form and waits for the library. */
export async function signIn(page: Page, who: { email: string; password: string } = ADMIN) {
  await page.goto('/signin')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible()
}

/** signOut uses the account menu and waits for the sign-in form. */
export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Account' }).click()
  await page.getByRole('menuitem', { name: 'Sign out' }).click()
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
}

/** expectPlaying checks that playback starts and time moves on the page's player. */
export async function expectPlaying(page: Page) {
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 0.5, undefined, { timeout: 30_000 })
  const t1 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  await page.waitForTimeout(800)
  const t2 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  expect(t2).toBeGreaterThan(t1)
}

/**
 * startShaka loads Shaka Player into the page, which must hold a
 * <video id="v">, attaches a player as window.player and loads url. Shaka's
 * errors gather in window.shakaErrors.
 */
export async function startShaka(page: Page, url: string) {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('shaka-player/dist/shaka-player.compiled.js') })
  await page.evaluate(async (src) => {
    const w = window as any
    w.shaka.polyfill.installAll()
    const player = new w.shaka.Player()
    await player.attach(document.getElementById('v'))
    w.player = player
    w.shakaErrors = []
    player.addEventListener('error', (e: any) => w.shakaErrors.push(String(e.detail?.code)))
    await player.load(src)
  }, url)
}
