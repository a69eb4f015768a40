// End-to-end: create the admin on a fresh server, upload through the UI,
// watch processing finish, play the result, switch quality, preview
// storyboard frames, and see a corrupt upload fail with its reason. Then
// accounts: invite a viewer, who cannot upload and cannot see the admin's
// private video until it is made public, when they and a signed-out
// visitor can play it. Needs a fresh running server (scripts/ui-e2e.sh):
//   KINEMA_URL            server origin, e.g. http://127.0.0.1:18080
//   KINEMA_ADMIN_TOKEN    bootstrap admin API key (for the test's own API calls)
//   KINEMA_TEST_VIDEO     small playable video with audio (a few seconds)
//   KINEMA_TEST_CORRUPT   a file ffmpeg cannot decode
// Screenshots of each step land in test-results/ and the HTML report.

import { expect, test } from '@playwright/test'
import path from 'node:path'
import { ADMIN, ensureAdmin, expectPlaying, shot, signIn, signOut, VIEWER, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const VIDEO = process.env.KINEMA_TEST_VIDEO ?? ''
const CORRUPT = process.env.KINEMA_TEST_CORRUPT ?? ''

test.skip(!process.env.KINEMA_URL || !TOKEN || !VIDEO || !CORRUPT, 'set KINEMA_URL, KINEMA_ADMIN_TOKEN, KINEMA_TEST_VIDEO and KINEMA_TEST_CORRUPT')

test('setup, upload, process, watch, switch quality, storyboard, failure', async ({ page, request }, info) => {
  const errors = watchConsole(page)

  // First run: the server has no account, and the UI asks for the admin.
  const setup = await (await request.get('/api/v1/auth/setup')).json()
  expect(setup.needs_setup, 'this test needs a fresh server (scripts/ui-e2e.sh starts one)').toBe(true)
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Create the admin account' })).toBeVisible()
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Name').fill(ADMIN.name)
  await page.getByLabel('Password').fill('short')
  await page.getByRole('button', { name: 'Create admin account' }).click()
  await expect(page.getByRole('alert')).toHaveText('Use at least 10 characters for the password.')
  await shot(page, info, '01-setup-short-password')
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Create admin account' }).click()
  await expect(page.getByRole('heading', { name: 'Library' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Account' })).toContainText(ADMIN.name)
  expect((await (await request.get('/api/v1/auth/setup')).json()).needs_setup).toBe(false)
  await shot(page, info, '02-library')

  // Upload through the file chooser, throttled so the progress bar visibly
  // moves and pause/resume can be exercised.
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  // New uploads are private unless picked otherwise.
  await expect(page.getByLabel('Visibility')).toHaveValue('private')
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    // Slow enough that Pause lands before the last byte even on a busy machine.
    uploadThroughput: 64 * 1024,
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
  await expect(page.getByTestId('visibility')).toHaveText('Private')
  await expectPlaying(page)
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
  // A private video has nothing to share (embeds: studio.spec.ts).
  await expect(page.getByRole('region', { name: 'Share' })).toHaveCount(0)
  await shot(page, info, '10-watch-page')

  // Corrupt upload: processing fails and says why; the file is not media,
  // so no Retry is offered (it would fail the same way).
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  const chooser2 = page.waitForEvent('filechooser')
  await page.getByTestId('dropzone').click()
  await (await chooser2).setFiles(CORRUPT)
  const bad = page.getByTestId('upload-item').filter({ hasText: path.basename(CORRUPT) }).first()
  await expect(bad.getByTestId('processing')).toHaveAttribute('data-status', 'failed', { timeout: 120_000 })
  await expect(bad.getByTestId('failure-reason')).not.toBeEmpty()
  await expect(bad.getByRole('button', { name: /retry/i })).toHaveCount(0)
  await shot(page, info, '11-failed')

  expect(errors).toEqual([])
})

test('accounts: invite a viewer, private until public, sign out', async ({ page, browser }, info) => {
  // The refused demotion of the last admin answers 400, which Chromium logs.
  const errors = watchConsole(page, [/status of 400/])
  await ensureAdmin(info.project.use.baseURL!)
  await signIn(page)

  // The admin's private video from the first test.
  await page.getByRole('tab', { name: 'Mine' }).click()
  await page.getByRole('tab', { name: 'Ready' }).click()
  await expect(page).toHaveURL(/mine=1&status=ready/)
  const card = page.getByTestId('video-card').filter({ hasText: path.parse(VIDEO).name }).first()
  await expect(card.getByTestId('visibility')).toHaveText('Private')
  await card.getByRole('link').first().click()
  await expect(page).toHaveURL(/\/watch\//)
  const watchPath = new URL(page.url()).pathname
  await expect(page.getByTestId('player')).toBeVisible()

  // Users page: the only admin cannot demote themselves; add an uploader;
  // make an invite link for a viewer.
  await page.getByRole('button', { name: 'Account' }).click()
  await shot(page, info, 'acc-01-account-menu', false)
  await page.getByRole('menuitem', { name: 'Users and sign-up' }).click()
  await expect(page.getByRole('heading', { name: 'Users and sign-up' })).toBeVisible()
  const me = page.getByTestId('user-row').filter({ hasText: ADMIN.email })
  await me.getByLabel(`Role of ${ADMIN.email}`).selectOption('viewer')
  await me.getByRole('button', { name: 'Save changes' }).click()
  await expect(me.getByRole('alert')).toHaveText('This is the last admin account; make another admin first.')
  await expect(me.getByLabel(`Role of ${ADMIN.email}`)).toHaveValue('admin')
  const add = page.getByRole('form', { name: 'Add a user' })
  await add.getByLabel('Email').fill('uploader@example.com')
  await add.getByLabel('Name').fill('Uma Uploader')
  await add.getByLabel('Password').fill('uploader-password-1')
  await add.getByLabel('Role').selectOption('uploader')
  await add.getByRole('button', { name: 'Add user' }).click()
  await expect(add.getByRole('status')).toHaveText('Added uploader@example.com.')
  await expect(page.getByTestId('user-row')).toHaveCount(2)
  const inviteForm = page.getByRole('form', { name: 'Invite someone' })
  await inviteForm.getByLabel('Invite role').selectOption('viewer')
  await inviteForm.getByRole('button', { name: 'Create invite link' }).click()
  const inviteUrl = await inviteForm.getByLabel('Invite link').inputValue()
  expect(inviteUrl).toMatch(/\/signup\?invite=[\w-]+$/)
  await shot(page, info, 'acc-02-users-and-invite')

  // The viewer signs up through the invite in a browser of their own.
  const viewerCtx = await browser.newContext()
  const viewer = await viewerCtx.newPage()
  // Their request for the private video answers 404, which Chromium logs.
  const viewerErrors = watchConsole(viewer, [/status of 404/])
  await viewer.goto(inviteUrl)
  await expect(viewer.getByRole('heading', { name: 'Create your account' })).toBeVisible()
  await viewer.getByLabel('Email').fill(VIEWER.email)
  await viewer.getByLabel('Name').fill(VIEWER.name)
  await viewer.getByLabel('Password').fill(VIEWER.password)
  await shot(viewer, info, 'acc-03-invite-signup')
  await viewer.getByRole('button', { name: 'Create account' }).click()
  await expect(viewer.getByRole('heading', { name: 'Library' })).toBeVisible()
  await expect(viewer).toHaveURL(/\/$/)

  // A viewer cannot upload: no Upload anywhere, the page says so, and so does the API.
  await expect(viewer.getByText('Nothing to watch yet')).toBeVisible()
  await expect(viewer.getByRole('link', { name: /upload/i })).toHaveCount(0)
  await shot(viewer, info, 'acc-04-viewer-library')
  await viewer.goto('/upload')
  await expect(viewer.getByRole('heading', { name: 'Your account cannot upload' })).toBeVisible()
  const sess = await (await viewer.request.get('/api/v1/auth/session')).json()
  expect(sess.user.role).toBe('viewer')
  const create = await viewer.request.post('/api/v1/videos', { data: { title: 'nope' }, headers: { 'X-CSRF-Token': sess.csrf_token } })
  expect(create.status()).toBe(403)

  // The admin's private video does not exist as far as the viewer can tell.
  await viewer.goto(watchPath)
  await expect(viewer.getByRole('heading', { name: 'Video not found' })).toBeVisible()
  await shot(viewer, info, 'acc-05-private-not-found')

  // The admin makes it public.
  await page.goto(watchPath)
  const who = page.getByRole('form', { name: 'Who can watch' })
  await who.getByLabel('Visibility').selectOption('public')
  await who.getByRole('button', { name: 'Save' }).click()
  await expect(who.getByRole('status')).toHaveText('Saved.')
  await expect(page.getByTestId('visibility')).toHaveText('Public')
  await shot(page, info, 'acc-06-made-public')

  // Now the viewer can play it, and finds it in their library.
  await viewer.goto(watchPath)
  await expect(viewer.getByRole('heading', { name: path.parse(VIDEO).name })).toBeVisible()
  await expect(viewer.getByRole('form', { name: 'Who can watch' })).toHaveCount(0)
  await expectPlaying(viewer)
  await shot(viewer, info, 'acc-07-viewer-plays')
  await viewer.goto('/')
  await expect(viewer.getByTestId('video-card').filter({ hasText: path.parse(VIDEO).name })).toHaveCount(1)
  await expect(viewer.getByRole('button', { name: /^Delete/ })).toHaveCount(0)

  // So can someone who is not signed in at all.
  const anonCtx = await browser.newContext()
  const anon = await anonCtx.newPage()
  const anonErrors = watchConsole(anon)
  await anon.goto(watchPath)
  await expect(anon.getByRole('link', { name: 'Sign in' })).toBeVisible()
  await expectPlaying(anon)
  await shot(anon, info, 'acc-08-signed-out-plays')
  await anonCtx.close()

  // Sign-out ends the session; a wrong password is refused; the right one works.
  await signOut(viewer)
  expect((await viewer.request.get('/api/v1/auth/session')).status()).toBe(401)
  await viewer.getByLabel('Email').fill(VIEWER.email)
  await viewer.getByLabel('Password').fill('not-the-password')
  await viewer.getByRole('button', { name: 'Sign in' }).click()
  await expect(viewer.getByRole('alert')).toHaveText('Wrong email or password.')
  await shot(viewer, info, 'acc-09-wrong-password')
  await viewer.getByLabel('Password').fill(VIEWER.password)
  await viewer.getByRole('button', { name: 'Sign in' }).click()
  await expect(viewer.getByRole('heading', { name: 'Library' })).toBeVisible()
  await viewerCtx.close()

  expect(viewerErrors).toEqual([])
  expect(anonErrors).toEqual([])
  expect(errors).toEqual([])
})

test('audio-only items show a visual instead of a black box', async ({ page }, info) => {
  const audio = process.env.KINEMA_TEST_AUDIO
  test.skip(!audio, 'set KINEMA_TEST_AUDIO to an audio-only file')
  const errors = watchConsole(page)
  await ensureAdmin(info.project.use.baseURL!)
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
  await ensureAdmin(info.project.use.baseURL!)
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
  const chooser2 = page.waitForEvent('filechooser')
  await page.getByRole('button', { name: 'Choose file' }).first().click()
  await (await chooser2).setFiles(VIDEO)
  const item = page.getByTestId('upload-item').first()
  // Still throttled: the "resumed" tag shows only while bytes move, and an
  // unthrottled rest of a small file can finish before a busy machine looks.
  await expect(item.getByText('resumed')).toBeVisible()
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  await expect(item.getByTestId('processing')).toBeVisible({ timeout: 60_000 })
  await expect(page.getByRole('region', { name: 'Interrupted uploads' })).toHaveCount(0)
  await shot(page, info, 'resume-02-finished')
  expect(await count()).toBe(before + 1) // no second video was created
  expect(errors).toEqual([])
})

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

  test('sign-in, library, filters, watch and users pages fit a phone', async ({ page }, info) => {
    const errors = watchConsole(page)
    await ensureAdmin(info.project.use.baseURL!)
    await page.goto('/')
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
    await shot(page, info, 'phone-00-signin')
    await signIn(page)
    await shot(page, info, 'phone-01-library')
    await page.getByRole('tab', { name: 'Failed' }).click()
    await expect(page).toHaveURL(/status=failed/)
    await shot(page, info, 'phone-02-failed-filter')
    await page.getByRole('tab', { name: 'Ready' }).click()
    await expect(page).toHaveURL(/status=ready/)
    // Until the new list arrives the failed ones are still on screen.
    await expect(page.locator('[data-testid="video-card"]:not([data-status="ready"])')).toHaveCount(0)
    const card = page.getByTestId('video-card').first()
    if (await card.count()) {
      await card.getByRole('link').first().click()
      await expect(page.getByTestId('player')).toBeVisible()
      await shot(page, info, 'phone-03-watch')
    }
    // Nothing may overflow sideways on a phone.
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(await overflow()).toBeLessThanOrEqual(0)
    await page.getByRole('button', { name: 'Account' }).click()
    await shot(page, info, 'phone-04-account-menu', false)
    await page.getByRole('menuitem', { name: 'Users and sign-up' }).click()
    await expect(page.getByTestId('user-row').first()).toBeVisible()
    await shot(page, info, 'phone-05-users')
    expect(await overflow()).toBeLessThanOrEqual(0)
    expect(errors).toEqual([])
  })
})
