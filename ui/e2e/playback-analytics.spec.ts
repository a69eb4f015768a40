// Analytics (issue #15 item 3): an anonymous viewer plays a public video in
// the UI; its beacon reports the view, startup time, watch time and the
// rendition played; the admin then sees the view counted and the plots drawn
// (uPlot canvases with ink on them) on the video's and the overall page.
// Screenshots go to docs/screenshots/ when KINEMA_SCREENSHOTS=1. Named to sort
// after kinema.spec.ts, whose first test needs a server nobody has set up yet.

import { expect, request, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ensureAdmin, expectPlaying, shot, signIn, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const VIDEO = process.env.KINEMA_TEST_VIDEO ?? ''
test.skip(!process.env.KINEMA_URL || !TOKEN || !VIDEO, 'set KINEMA_URL, KINEMA_ADMIN_TOKEN and KINEMA_TEST_VIDEO')

const auth = { Authorization: `Bearer ${TOKEN}` }

async function uploadReady(api: APIRequestContext, title: string): Promise<string> {
  const res = await api.post('/api/v1/videos', { headers: auth, data: { title, visibility: 'public' } })
  expect(res.status(), await res.text()).toBe(201)
  const v = await res.json()
  const put = await api.fetch(v.upload.url, { method: v.upload.method, data: readFileSync(VIDEO), headers: { 'Content-Type': 'video/mp4' } })
  expect(put.ok(), await put.text()).toBe(true)
  await expect
    .poll(async () => (await (await api.get(`/api/v1/videos/${v.id}`, { headers: auth })).json()).status, { timeout: 180_000, intervals: [1000] })
    .toBe('ready')
  return v.id
}

async function docShot(page: Page, info: TestInfo, name: string) {
  await shot(page, info, name, false)
  if (process.env.KINEMA_SCREENSHOTS === '1') {
    await page.screenshot({ path: path.join(process.cwd(), '..', 'docs', 'screenshots', `${name}.png`) })
  }
}

/** inkedCharts counts the page's uPlot canvases that have something drawn on them. */
async function inkedCharts(page: Page): Promise<number> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('.uplot canvas')].filter((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true
      return false
    }).length,
  )
}

test('a view played in the UI is counted and plotted', async ({ page, browser, baseURL }, info) => {
  test.setTimeout(300_000)
  await ensureAdmin(baseURL!)
  const api = await request.newContext({ baseURL })
  const id = await uploadReady(api, 'Analytics clip')

  // An anonymous viewer watches a few seconds, then leaves the page.
  const viewer = await browser.newContext()
  const vp = await viewer.newPage()
  const errors = watchConsole(vp)
  const beacons: number[] = []
  vp.on('response', (r) => {
    if (r.url().endsWith('/api/v1/playback-events')) beacons.push(r.status())
  })
  await vp.goto(`/watch/${id}`)
  await expectPlaying(vp)
  await vp.waitForTimeout(2500)
  await vp.goto('about:blank') // pagehide sends the watch time
  await expect.poll(() => beacons.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1)
  expect(beacons.every((s) => s === 204), String(beacons)).toBe(true)
  expect(errors).toEqual([])
  await viewer.close()

  // The API has the view and some watch time.
  await expect
    .poll(async () => (await (await api.get(`/api/v1/videos/${id}/analytics`, { headers: auth })).json()).total.watch_ms, { timeout: 15_000 })
    .toBeGreaterThan(1000)
  const a = await (await api.get(`/api/v1/videos/${id}/analytics`, { headers: auth })).json()
  expect(a.total.views).toBe(1)
  expect(a.total.startups).toBe(1)
  expect(a.renditions.length).toBeGreaterThanOrEqual(1)
  expect(a.renditions[0].height).toBeGreaterThan(0)

  // The owner's view of it: the count, the plots, the renditions.
  const ownErrors = watchConsole(page)
  await page.setViewportSize({ width: 1280, height: 900 })
  await signIn(page)
  await page.goto(`/watch/${id}`)
  await page.getByRole('link', { name: 'Analytics' }).click()
  await expect(page).toHaveURL(new RegExp(`/analytics/${id}$`))
  await expect(page.getByRole('heading', { name: 'Analytics: Analytics clip' })).toBeVisible()
  await expect(page.getByTestId('stat-views')).toHaveText('1')
  await expect(page.locator('.uplot')).toHaveCount(5)
  await expect.poll(() => inkedCharts(page)).toBeGreaterThanOrEqual(5)
  await expect(page.getByTestId('rendition-row').first()).toContainText(/\d+p/)
  await docShot(page, info, 'analytics-video-desktop')

  // The overall page lists the video among the most viewed.
  await page.getByRole('button', { name: 'Account' }).click()
  await page.getByRole('menuitem', { name: 'Analytics' }).click()
  await expect(page.getByRole('heading', { name: 'Analytics: all videos' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Analytics clip' })).toBeVisible()
  await expect(page.locator('.uplot')).toHaveCount(5)
  await docShot(page, info, 'analytics-overall-desktop')

  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(`/analytics/${id}`)
  await expect(page.getByTestId('stat-views')).toHaveText('1')
  await expect.poll(() => inkedCharts(page)).toBeGreaterThanOrEqual(5)
  // Plots fit the phone's width.
  const widest = await page.evaluate(() => Math.max(...[...document.querySelectorAll('.uplot')].map((e) => e.getBoundingClientRect().right)))
  expect(widest).toBeLessThanOrEqual(390)
  await docShot(page, info, 'analytics-video-phone')
  await page.goto('/analytics')
  await expect(page.locator('.uplot')).toHaveCount(5)
  await docShot(page, info, 'analytics-overall-phone')
  expect(ownErrors).toEqual([])
  await api.dispose()
})
