// End-to-end: sign in, upload through the UI, watch processing finish, play
// the result, switch quality, preview storyboard frames, and see a corrupt
// upload fail with its reason. Needs a running server:
//   KINEMA_URL            server origin, e.g. http://127.0.0.1:18080
//   KINEMA_ADMIN_TOKEN    admin API key
//   KINEMA_TEST_VIDEO     small playable video with audio (a few seconds)
//   KINEMA_TEST_CORRUPT   a file ffmpeg cannot decode
// Screenshots of each step land in test-results/ and the HTML report.

import { expect, test, type Page, type TestInfo } from '@playwright/test'
import path from 'node:path'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const VIDEO = process.env.KINEMA_TEST_VIDEO ?? ''
const CORRUPT = process.env.KINEMA_TEST_CORRUPT ?? ''

test.skip(!process.env.KINEMA_URL || !TOKEN || !VIDEO || !CORRUPT, 'set KINEMA_URL, KINEMA_ADMIN_TOKEN, KINEMA_TEST_VIDEO and KINEMA_TEST_CORRUPT')

/**
 * shot saves test-results/<test>/<name>.png and attaches it to the HTML
 * report. Viewport-only keeps hover states (a full-page capture resizes the
 * viewport and drops them).
 */
async function shot(page: Page, info: TestInfo, name: string, fullPage = true) {
  const file = info.outputPath(`${name}.png`)
  await page.screenshot({ path: file, fullPage })
  await info.attach(name, { path: file, contentType: 'image/png' })
}

/** watchConsole fails the test on page errors and console errors we did not expect. */
function watchConsole(page: Page, allowed: RegExp[] = []) {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && !allowed.some((re) => re.test(m.text()))) errors.push(`console: ${m.text()}`)
  })
  return errors
}

async function signIn(page: Page) {
  await page.goto('/')
  await page.getByLabel('API key').fill(TOKEN)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible()
}

test('upload, process, watch, switch quality, storyboard, failure', async ({ page }, info) => {
  // The deliberate wrong-key attempt logs a 401 resource error; nothing else may.
  const errors = watchConsole(page, [/status of 401/])

  // Sign in: a wrong key is refused, the right one lands in the library.
  await page.goto('/')
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
  await page.getByLabel('API key').fill('definitely-wrong')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toHaveText('That key was not accepted.')
  await shot(page, info, '01-signin-rejected')
  await page.getByLabel('API key').fill(TOKEN)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible()
  await shot(page, info, '02-library')

  // Upload through the file chooser, throttled so the progress bar visibly
  // moves and pause/resume can be exercised.
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 150 * 1024,
  })
  const chooser = page.waitForEvent('filechooser')
  await page.getByTestId('dropzone').click()
  await (await chooser).setFiles(VIDEO)
  const item = page.getByTestId('upload-item').first()
  await expect(item).toHaveAttribute('data-phase', 'uploading')
  const percent = item.getByTestId('upload-percent')
  await expect(percent).not.toHaveText('0%', { timeout: 30_000 })
  const firstPercent = await percent.textContent()
  await shot(page, info, '03-uploading')

  await item.getByRole('button', { name: 'Pause' }).click()
  await expect(item).toHaveAttribute('data-phase', 'paused')
  await shot(page, info, '04-upload-paused')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  await item.getByRole('button', { name: 'Resume' }).click()

  // Processing: the bar appears and the video becomes ready.
  const processing = item.getByTestId('processing')
  await expect(processing).toBeVisible({ timeout: 60_000 })
  const seen = new Set<string>()
  const progressValues = new Set<string>()
  const deadline = Date.now() + 120_000
  for (;;) {
    const status = (await processing.getAttribute('data-status')) ?? ''
    seen.add(status)
    if (status === 'processing') {
      const p = await item.getByTestId('processing-percent').textContent().catch(() => null)
      if (p) progressValues.add(p)
      if (progressValues.size === 2) await shot(page, info, '05-processing')
    }
    if (status === 'ready' || status === 'failed') break
    if (Date.now() > deadline) throw new Error(`video not ready in time; saw ${[...seen].join(', ')}`)
    await page.waitForTimeout(250)
  }
  await info.attach('processing-progress', { body: `upload first seen at ${firstPercent}; statuses ${[...seen].join(' → ')}; percents ${[...progressValues].join(', ')}` })
  await expect(processing).toHaveAttribute('data-status', 'ready')
  await shot(page, info, '06-ready')

  // Watch: play and check time advances.
  const segmentRequests: string[] = []
  page.on('request', (r) => {
    if (/\.(m4s|ts|mp4)(\?|$)/.test(r.url())) segmentRequests.push(r.url())
  })
  await item.getByRole('link', { name: /watch/i }).click()
  await expect(page).toHaveURL(/\/watch\//)
  const player = page.getByTestId('player')
  await expect(player).toBeVisible()
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 0.5, undefined, { timeout: 30_000 })
  const t1 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  await page.waitForTimeout(1000)
  const t2 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  expect(t2).toBeGreaterThan(t1)
  await shot(page, info, '07-playing')

  // Quality: pick a level other than the one playing and check hls.js
  // fetched media from that rendition.
  const levelCount = await page.evaluate(() => window.__kinemaPlayer!.hls?.levels.length ?? 0)
  expect(levelCount, 'the ladder should give at least two renditions').toBeGreaterThan(1)
  await page.getByTestId('quality-button').click()
  const playingLevel = await page.evaluate(() => window.__kinemaPlayer!.hls!.currentLevel)
  const target = await page
    .locator('[role="menuitemradio"]')
    .evaluateAll((els, cur) => els.map((e) => Number((e as HTMLElement).dataset.level)).find((l) => l >= 0 && l !== cur), playingLevel)
  expect(target).toBeDefined()
  await shot(page, info, '08-quality-menu', false)
  const fragsBefore = await page.evaluate(() => window.__kinemaPlayer!.fragLevels.length)
  await page.locator(`[role="menuitemradio"][data-level="${target}"]`).click()
  await page.waitForFunction(
    ({ lvl, from }) => {
      const p = window.__kinemaPlayer!
      return p.hls!.currentLevel === lvl && p.fragLevels.slice(from).includes(lvl)
    },
    { lvl: target!, from: fragsBefore },
    { timeout: 30_000 },
  )
  const levelUrl = await page.evaluate((lvl) => window.__kinemaPlayer!.hls!.levels[lvl].url[0], target!)
  const levelDir = new URL('.', levelUrl).pathname
  expect(segmentRequests.some((u) => new URL(u).pathname.startsWith(levelDir)), `a segment under ${levelDir}`).toBe(true)
  await expect(page.getByTestId('quality-button')).not.toContainText('Auto')

  // Storyboard: hovering the seek bar shows a thumbnail.
  const seek = page.getByTestId('seek-bar')
  const box = (await seek.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2)
  await expect(page.getByTestId('storyboard-thumb')).toBeVisible()
  await shot(page, info, '09-storyboard', false)

  // Keyboard: k pauses, arrows seek.
  await page.mouse.move(0, 0)
  await page.keyboard.press('k')
  await expect.poll(() => page.evaluate(() => window.__kinemaPlayer!.video.paused)).toBe(true)
  const before = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  await page.keyboard.press('ArrowLeft')
  await expect.poll(() => page.evaluate(() => window.__kinemaPlayer!.video.currentTime)).toBeLessThan(before)
  await expect(page.getByTestId('expiry')).toContainText('expires')
  await shot(page, info, '10-watch-page')

  // Embed: the iframe snippet's page plays without an API key.
  const snippet = await page.getByLabel('Embed code').inputValue()
  const embedSrc = /src="([^"]+)"/.exec(snippet)![1].replace(/&amp;/g, '&')
  const embed = await page.context().browser()!.newPage()
  const embedErrors = watchConsole(embed)
  await embed.goto(embedSrc)
  await embed.getByTestId('play-button').click()
  await embed.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 0.3, undefined, { timeout: 30_000 })
  await shot(embed, info, '10b-embed', false)
  await embed.close()
  expect(embedErrors).toEqual([])

  // Corrupt upload: processing fails and says why.
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  const chooser2 = page.waitForEvent('filechooser')
  await page.getByTestId('dropzone').click()
  await (await chooser2).setFiles(CORRUPT)
  const bad = page.getByTestId('upload-item').filter({ hasText: path.basename(CORRUPT) }).first()
  await expect(bad.getByTestId('processing')).toHaveAttribute('data-status', 'failed', { timeout: 120_000 })
  await expect(bad.getByTestId('failure-reason')).not.toBeEmpty()
  await expect(bad.getByRole('button', { name: /retry/i })).toBeVisible()
  await shot(page, info, '11-failed')

  expect(errors).toEqual([])
})

test('audio-only items show a visual instead of a black box', async ({ page }, info) => {
  const audio = process.env.KINEMA_TEST_AUDIO
  test.skip(!audio, 'set KINEMA_TEST_AUDIO to an audio-only file')
  const errors = watchConsole(page)
  await signIn(page)
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  const chooser = page.waitForEvent('filechooser')
  await page.getByTestId('dropzone').click()
  await (await chooser).setFiles(audio!)
  const item = page.getByTestId('upload-item').first()
  await expect(item.getByTestId('processing')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 })
  await item.getByRole('link', { name: /watch/i }).click()
  await expect(page.getByTestId('audio-visual')).toBeVisible()
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 0.5, undefined, { timeout: 30_000 })
  await shot(page, info, 'audio-playing', false)
  expect(errors).toEqual([])
})

test('an upload interrupted by a reload resumes on the same video', async ({ page, request }, info) => {
  const errors = watchConsole(page)
  const auth = { Authorization: `Bearer ${TOKEN}` }
  const count = async () => ((await (await request.get('/api/v1/videos', { headers: auth })).json()).videos ?? []).length
  await signIn(page)
  const before = await count()
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 100 * 1024 })
  const chooser = page.waitForEvent('filechooser')
  await page.getByTestId('dropzone').click()
  await (await chooser).setFiles(VIDEO)
  const pct = page.getByTestId('upload-item').first().getByTestId('upload-percent')
  await expect.poll(async () => parseInt((await pct.textContent()) ?? '0', 10), { timeout: 30_000 }).toBeGreaterThanOrEqual(20)

  await page.reload()
  await expect(page.getByRole('region', { name: 'Interrupted uploads' })).toBeVisible()
  await shot(page, info, 'resume-01-interrupted')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  const chooser2 = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Choose file' }).first().click()
  await (await chooser2).setFiles(VIDEO)
  const item = page.getByTestId('upload-item').first()
  await expect(item.getByText('resumed')).toBeVisible()
  await expect(item.getByTestId('processing')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByRole('region', { name: 'Interrupted uploads' })).toHaveCount(0)
  await shot(page, info, 'resume-02-finished')
  expect(await count()).toBe(before + 1) // no second video was created
  expect(errors).toEqual([])
})

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

  test('library, filters and watch page fit a phone', async ({ page }, info) => {
    const errors = watchConsole(page)
    await signIn(page)
    await shot(page, info, 'phone-01-library')
    await page.getByRole('tab', { name: 'Failed' }).click()
    await expect(page).toHaveURL(/status=failed/)
    await shot(page, info, 'phone-02-failed-filter')
    await page.getByRole('tab', { name: 'Ready' }).click()
    const card = page.getByTestId('video-card').first()
    if (await card.count()) {
      await card.getByRole('link').first().click()
      await expect(page.getByTestId('player')).toBeVisible()
      await shot(page, info, 'phone-03-watch')
    }
    // Nothing may overflow sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    expect(errors).toEqual([])
  })
})
