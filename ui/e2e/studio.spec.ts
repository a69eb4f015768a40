// Studio (issue #15): permanent embeds and share links, video details,
// player speed and picture-in-picture. Runs against the server that
// scripts/ui-e2e.sh starts (KINEMA_URL, KINEMA_ADMIN_TOKEN,
// KINEMA_TEST_VIDEO); the embed-expiry test starts a second server of its
// own (KINEMA_BIN) with the shortest playback TTL the server accepts.
// Screenshots of new pages go to docs/screenshots/ when
// KINEMA_SCREENSHOTS=1 (and, as always, to test-results/).

import { expect, request, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { ADMIN, ensureAdmin, expectPlaying, shot, signIn, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const VIDEO = process.env.KINEMA_TEST_VIDEO ?? ''
const BIN = process.env.KINEMA_BIN ?? ''

test.skip(!process.env.KINEMA_URL || !TOKEN || !VIDEO, 'set KINEMA_URL, KINEMA_ADMIN_TOKEN and KINEMA_TEST_VIDEO')

const auth = (token = TOKEN) => ({ Authorization: `Bearer ${token}` })

/** uploadReady creates a video over the API, uploads VIDEO and waits until it is ready. */
async function uploadReady(api: APIRequestContext, title: string, visibility: string, token = TOKEN): Promise<string> {
  const res = await api.post('/api/v1/videos', { headers: auth(token), data: { title, visibility } })
  expect(res.status(), await res.text()).toBe(201)
  const v = await res.json()
  const put = await api.fetch(v.upload.url, { method: v.upload.method, data: readFileSync(VIDEO), headers: { 'Content-Type': 'video/mp4' } })
  expect(put.ok(), await put.text()).toBe(true)
  await expect
    .poll(async () => (await (await api.get(`/api/v1/videos/${v.id}`, { headers: auth(token) })).json()).status, { timeout: 180_000, intervals: [1000] })
    .toBe('ready')
  return v.id
}

/** docShot also saves a small copy under docs/screenshots/ when asked to (KINEMA_SCREENSHOTS=1). */
async function docShot(page: Page, info: TestInfo, name: string) {
  await shot(page, info, name, false)
  if (process.env.KINEMA_SCREENSHOTS === '1') {
    await page.screenshot({ path: path.join(process.cwd(), '..', 'docs', 'screenshots', `${name}.png`) })
  }
}

/**
 * site starts a web site on another loopback port (another origin) whose
 * page frames iframeSrc, as a blog embedding the video would. A real
 * loopback server, because Chromium refuses to let a page of no known
 * address (a routed one) frame a loopback server.
 */
async function site(iframeSrc: string): Promise<{ url: string; close: () => void }> {
  const srv = http.createServer((_, res) => {
    res.setHeader('Content-Type', 'text/html')
    res.end(`<!doctype html><title>blog</title><h1>My blog</h1><iframe src="${iframeSrc}" width="640" height="360" allow="autoplay; fullscreen; picture-in-picture"></iframe>`)
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/post`, close: () => srv.close() }
}

test('share and embed: permanent embed page, options, allowed sites, oEmbed, nothing to share when private', async ({ page, browser }, info) => {
  const base = info.project.use.baseURL!
  // Frames refused by frame-ancestors are reported on the embedding page's console.
  const errors = watchConsole(page)
  await ensureAdmin(base)
  const api = await request.newContext({ baseURL: base })
  const id = await uploadReady(api, 'Embed me', 'unlisted')

  await signIn(page)
  await page.goto(`/watch/${id}`)
  const share = page.getByRole('region', { name: 'Share' })
  await expect(share).toBeVisible()
  await expect(share.getByLabel('Link')).toHaveValue(`${base}/watch/${id}`)
  let snippet = await share.getByLabel('Embed code').inputValue()
  expect(snippet).toContain(`src="${base}/embed/${id}"`)
  expect(snippet, 'the embed carries no expiring token').not.toContain('token=')
  await share.getByLabel('Start at').check()
  await share.getByLabel('Start time').fill('0:02')
  await share.getByLabel('Autoplay').check()
  await share.getByLabel('Muted').check()
  await share.getByLabel('Loop').check()
  snippet = await share.getByLabel('Embed code').inputValue()
  expect(snippet).toContain(`/embed/${id}?start=2&amp;autoplay=1&amp;muted=1&amp;loop=1`)
  await expect(share.getByTestId('embed-note')).toContainText('Any site may embed it')
  await docShot(page, info, 'studio-share-desktop')

  // The embed page on another site: starts at 0:02, muted, playing by itself, looping.
  const src = /src="([^"]+)"/.exec(snippet)![1].replace(/&amp;/g, '&')
  const blog = await browser.newPage()
  const blogErrors = watchConsole(blog)
  const blogSite = await site(src)
  const port = new URL(blogSite.url).port
  await blog.goto(blogSite.url)
  const frame = blog.frameLocator('iframe')
  await expect(frame.getByTestId('player')).toBeVisible()
  const state = () =>
    blog.frames()[1].evaluate(() => {
      const v = document.querySelector('video')!
      return { t: v.currentTime, muted: v.muted, loop: v.loop, paused: v.paused }
    })
  await expect.poll(async () => (await state()).t, { timeout: 30_000 }).toBeGreaterThan(2.2)
  expect(await state()).toMatchObject({ muted: true, loop: true, paused: false })
  await shot(blog, info, 'studio-embed-on-blog', false)

  // oEmbed describes the same permanent embed.
  const oe = await api.get(`/oembed?url=${encodeURIComponent(`${base}/watch/${id}`)}`)
  expect(oe.status()).toBe(200)
  const oj = await oe.json()
  expect(oj).toMatchObject({ type: 'video', version: '1.0', title: 'Embed me', width: 640, height: 360 })
  expect(oj.html).toContain(`src="${base}/embed/${id}"`)

  // Allowed sites, set in the details form: the blog still may, another site may not.
  const details = page.getByRole('form', { name: 'Details' })
  await details.getByLabel('Sites that may embed it').fill(`http://127.0.0.1:${port}/anything, blog.example.com`)
  await details.getByRole('button', { name: 'Save details' }).click()
  await expect(details.getByRole('status')).toHaveText('Saved.')
  await expect(details.getByLabel('Sites that may embed it')).toHaveValue(`127.0.0.1:${port}, blog.example.com`)
  await expect(share.getByTestId('embed-note')).toContainText(`Only these sites may embed it: 127.0.0.1:${port}, blog.example.com`)
  await blog.reload()
  await expect(blog.frameLocator('iframe').getByTestId('player')).toBeVisible()
  const other = await browser.newPage()
  const refused: string[] = []
  other.on('console', (m) => refused.push(m.text()))
  const otherSite = await site(`${base}/embed/${id}`)
  await other.goto(otherSite.url)
  await expect.poll(() => refused.some((t) => /frame-ancestors/.test(t)), { timeout: 15_000 }).toBe(true)
  await expect(other.frameLocator('iframe').getByTestId('player')).toHaveCount(0)
  await other.close()
  await blog.close()
  otherSite.close()
  blogSite.close()
  expect(blogErrors).toEqual([])

  // Private: the embed stops, oEmbed says not found, and there is no share box.
  const priv = await api.patch(`/api/v1/videos/${id}`, { headers: auth(), data: { visibility: 'private' } })
  expect(priv.status()).toBe(200)
  await page.reload()
  await expect(page.getByTestId('player')).toBeVisible()
  await expect(page.getByRole('region', { name: 'Share' })).toHaveCount(0)
  expect((await api.get(`/oembed?url=${encodeURIComponent(`${base}/watch/${id}`)}`)).status()).toBe(404)
  const anon = await browser.newPage()
  await anon.goto(`/embed/${id}`)
  await expect(anon.getByRole('alert')).toHaveText('This video is not available.')
  await anon.close()
  await api.dispose()
  expect(errors).toEqual([])
})

test('an embed keeps playing after the token it first got has expired', async ({ browser }, info) => {
  test.skip(!BIN, 'set KINEMA_BIN (scripts/ui-e2e.sh does) to start a server with a short playback TTL')
  test.setTimeout(360_000)
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinema-embed-'))
  const token = 'embed-ttl-admin-token'
  let server: ChildProcess | undefined
  try {
    // The shortest TTL the server accepts; the page must refresh its URLs by itself.
    server = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--srt-addr', '', '--rtmp-addr', '', '--data', dir], {
      env: { ...process.env, KINEMA_PLAYBACK_TTL: '1m', KINEMA_ADMIN_TOKEN: token, KINEMA_PUBLIC_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const base = await new Promise<string>((resolve, reject) => {
      let out = ''
      const onData = (b: Buffer) => {
        out += b.toString()
        const m = /listening on (127\.0\.0\.1:\d+)/.exec(out)
        if (m) resolve(`http://${m[1]}`)
      }
      server!.stdout!.on('data', onData)
      server!.stderr!.on('data', onData)
      server!.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)))
      setTimeout(() => reject(new Error(`no "listening on" line: ${out}`)), 60_000)
    })
    const api = await request.newContext({ baseURL: base })
    const id = await uploadReady(api, 'Short-lived links', 'public', token)

    const page = await browser.newPage({ baseURL: base })
    const errors = watchConsole(page)
    await page.goto(`/embed/${id}`)
    await expect(page.getByTestId('player')).toBeVisible()
    const first = (await (await page.waitForFunction(() => window.__kinemaPlayer?.hls?.url)).jsonValue()) as string
    const firstExpiry = (await (await api.get(`/api/v1/videos/${id}`)).json()).playback.expires_at as string
    // Wait until the URLs the page started with no longer work.
    await expect
      .poll(async () => (await api.get(first)).status(), { timeout: 120_000, intervals: [2000] })
      .toBe(403)
    expect(Date.now()).toBeGreaterThan(new Date(firstExpiry).getTime() - 5_000)
    // The page that has been open all along refreshed its URLs and plays...
    await expectPlaying(page)
    expect(await page.evaluate(() => window.__kinemaPlayer!.hls!.url!)).not.toBe(first)
    // ...and one loaded now plays too.
    await page.reload()
    await expectPlaying(page)
    await shot(page, info, 'embed-after-expiry', false)
    expect(errors).toEqual([])
    await page.close()
    await api.dispose()
  } finally {
    server?.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
})

test('details: default title, edit description and tags, search, sort, date, bulk visibility and delete', async ({ page }, info) => {
  const base = info.project.use.baseURL!
  const errors = watchConsole(page)
  await ensureAdmin(base)
  const api = await request.newContext({ baseURL: base })
  await signIn(page)

  // An upload is titled after its file, without the extension.
  await page.getByRole('link', { name: 'Upload', exact: true }).first().click()
  const chooser = page.waitForEvent('filechooser')
  await page.getByTestId('dropzone').click()
  await (await chooser).setFiles(VIDEO)
  await expect
    .poll(async () => (await (await api.get('/api/v1/videos?sort=newest&limit=1', { headers: auth() })).json()).videos[0]?.title, { timeout: 30_000 })
    .toBe(path.parse(VIDEO).name)

  // Two videos to work on; edit one's details on its page.
  const mk = async (title: string) => (await (await api.post('/api/v1/videos', { headers: auth(), data: { title } })).json()).id as string
  const a = await mk('Studio alpha draft')
  const z = await mk('Studio zulu')
  await page.goto(`/watch/${a}`)
  const details = page.getByRole('form', { name: 'Details' })
  await details.getByLabel('Title').fill('Studio alpha')
  await details.getByLabel('Description').fill('All about photosynthesis.\nSecond line.')
  await details.getByLabel('Tags').fill('Biology, plants, biology')
  await details.getByRole('button', { name: 'Save details' }).click()
  await expect(details.getByRole('status')).toHaveText('Saved.')
  await expect(details.getByLabel('Tags')).toHaveValue('biology, plants')
  await expect(page.getByRole('heading', { name: 'Studio alpha', exact: true })).toBeVisible()
  await expect(page.locator('.watch-description')).toHaveText('All about photosynthesis.\nSecond line.')
  await docShot(page, info, 'studio-details-desktop')

  // The tag links to the library filtered by it.
  await page.getByRole('link', { name: '#biology' }).click()
  await expect(page).toHaveURL(/\?tag=biology/)
  await expect(page.getByTestId('tag-filter')).toHaveText('#biology')
  await expect(page.getByTestId('video-card')).toHaveCount(1)
  await expect(page.getByTestId('video-card')).toContainText('Studio alpha')
  await page.getByRole('button', { name: 'Remove tag filter biology' }).click()

  // Search finds descriptions and tags; sort orders the results.
  await page.getByLabel('Search').fill('photosynth')
  await expect(page.getByTestId('video-card')).toHaveCount(1)
  await page.getByLabel('Search').fill('studio')
  await expect(page.getByTestId('video-card')).toHaveCount(2)
  await expect(page.getByTestId('video-card').first()).toContainText('Studio zulu') // newest first
  await page.getByLabel('Sort').selectOption('title')
  await expect(page).toHaveURL(/sort=title/)
  await expect(page.getByTestId('video-card').first()).toContainText('Studio alpha')
  const card = page.getByTestId('video-card').first()
  await expect(card.locator('time')).toContainText(String(new Date().getFullYear()))
  // Dates: nothing was added before 2000.
  await page.getByLabel('Added until').fill('2000-01-01')
  await expect(page.getByText('Nothing matches')).toBeVisible()
  await page.getByLabel('Added until').fill('')
  await expect(page.getByTestId('video-card')).toHaveCount(2)

  // Bulk: both unlisted at once, then both deleted.
  await page.getByLabel('Select Studio alpha').check()
  await page.getByLabel('Select Studio zulu').check()
  await expect(page.getByRole('region', { name: 'Selection' })).toContainText('2 selected')
  await page.getByLabel('New visibility').selectOption('unlisted')
  await docShot(page, info, 'studio-library-desktop')
  await page.getByRole('button', { name: 'Apply visibility' }).click()
  await expect(page.getByRole('status')).toHaveText('Made unlisted: 2 videos.')
  await expect(page.getByTestId('visibility')).toHaveText(['Unlisted', 'Unlisted'])
  for (const id of [a, z]) expect((await (await api.get(`/api/v1/videos/${id}`, { headers: auth() })).json()).visibility).toBe('unlisted')
  await page.getByLabel('Select all').check()
  await page.getByRole('button', { name: 'Delete', exact: true }).click()
  await page.getByRole('button', { name: 'Delete 2?' }).click()
  await expect(page.getByRole('status')).toHaveText('Deleted 2 videos.')
  for (const id of [a, z]) expect((await api.get(`/api/v1/videos/${id}`, { headers: auth() })).status()).toBe(404)
  await api.dispose()
  expect(errors).toEqual([])
})

test('player speed and picture-in-picture; tab titles', async ({ page }, info) => {
  const base = info.project.use.baseURL!
  const errors = watchConsole(page)
  await ensureAdmin(base)
  const api = await request.newContext({ baseURL: base })
  const id = await uploadReady(api, 'Speed test', 'public')
  await api.dispose()
  await signIn(page)
  await expect(page).toHaveTitle('Library · kinema')
  await page.goto(`/watch/${id}`)
  await expect(page).toHaveTitle('Speed test · kinema')
  await expectPlaying(page)
  await page.getByTestId('speed-button').click()
  await page.getByRole('menuitemradio', { name: '1.5×' }).click()
  await expect.poll(() => page.evaluate(() => window.__kinemaPlayer!.video.playbackRate)).toBe(1.5)
  await expect(page.getByTestId('speed-button')).toHaveText('1.5×')
  await page.getByRole('button', { name: 'Picture-in-picture' }).click()
  await expect.poll(() => page.evaluate(() => document.pictureInPictureElement === window.__kinemaPlayer!.video)).toBe(true)
  await expect(page.getByRole('button', { name: 'Exit picture-in-picture' })).toBeVisible()
  await page.getByRole('button', { name: 'Exit picture-in-picture' }).click()
  await expect.poll(() => page.evaluate(() => document.pictureInPictureElement)).toBeNull()
  await page.goto('/keys')
  await expect(page).toHaveTitle('API keys · kinema')
  expect(errors).toEqual([])
})

test('accounts: own password, admin resets another, own row protected, role saved visibly, revoked secret gone', async ({ page, browser }, info) => {
  // The wrong current password answers 403, which Chromium logs.
  const errors = watchConsole(page, [/status of 403/])
  const base = info.project.use.baseURL!
  await ensureAdmin(base)
  const api = await request.newContext({ baseURL: base })
  const other = { email: `studio-${Date.now()}@example.com`, password: 'first-password-1' }
  const made = await api.post('/api/v1/users', { headers: auth(), data: { email: other.email, name: 'Sam Studio', password: other.password, role: 'viewer', groups: [] } })
  expect(made.status(), await made.text()).toBe(201)
  await signIn(page)

  // Users page: no Disable/Delete on your own row; a role change waits for Save.
  await page.goto('/users')
  const me = page.getByTestId('user-row').filter({ hasText: ADMIN.email })
  await expect(me.getByRole('button', { name: 'Disable' })).toHaveCount(0)
  await expect(me.getByRole('button', { name: `Delete ${ADMIN.email}` })).toHaveCount(0)
  const row = page.getByTestId('user-row').filter({ hasText: other.email })
  await row.getByLabel(`Role of ${other.email}`).selectOption('uploader')
  await row.getByRole('button', { name: 'Save changes' }).click()
  await expect(row.getByRole('status')).toHaveText('Saved.')
  await expect(row.getByRole('button', { name: 'Save changes' })).toHaveCount(0)
  // The admin sets a new password for them.
  await row.getByRole('button', { name: 'Reset password' }).click()
  await row.getByLabel(`New password for ${other.email}`).fill('second-password-2')
  await row.getByRole('button', { name: 'Set password', exact: true }).click()
  await expect(row.getByRole('status')).toContainText('New password set')
  await docShot(page, info, 'studio-users-desktop')
  expect((await api.post('/api/v1/auth/login', { data: { email: other.email, password: 'second-password-2' } })).status()).toBe(200)

  // Their own password change, through the account page.
  const ctx = await browser.newContext()
  const them = await ctx.newPage()
  await signIn(them, { email: other.email, password: 'second-password-2' })
  await them.getByRole('button', { name: 'Account' }).click()
  await them.getByRole('menuitem', { name: 'Your account' }).click()
  await expect(them).toHaveTitle('Your account · kinema')
  const form = them.getByRole('form', { name: 'Change password' })
  await form.getByLabel('Current password').fill('wrong-password-0')
  await form.getByLabel('New password', { exact: true }).fill('third-password-3')
  await form.getByLabel('New password again').fill('third-password-3')
  await form.getByRole('button', { name: 'Change password' }).click()
  await expect(form.getByRole('alert')).toHaveText('The current password is wrong.')
  await form.getByLabel('Current password').fill('second-password-2')
  await form.getByRole('button', { name: 'Change password' }).click()
  await expect(form.getByRole('status')).toContainText('Password changed')
  await docShot(them, info, 'studio-account-desktop')
  // Still signed in here, with a working CSRF token: a write goes through.
  await them.goto('/keys')
  await them.getByLabel('Name').fill('after password change')
  await them.getByRole('button', { name: 'Create key' }).click()
  await expect(them.getByTestId('new-key')).toBeVisible()
  // Revoking the key takes its secret off the screen.
  await them.getByRole('button', { name: 'Revoke after password change' }).click()
  await them.getByRole('button', { name: 'Confirm revoke after password change' }).click()
  await expect(them.getByTestId('key-row').filter({ hasText: 'after password change' })).toContainText('Revoked')
  await expect(them.getByTestId('new-key')).toHaveCount(0)
  await ctx.close()
  expect((await api.post('/api/v1/auth/login', { data: { email: other.email, password: 'third-password-3' } })).status()).toBe(200)
  await api.dispose()
  expect(errors).toEqual([])
})

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
  test('share box and details form fit a phone', async ({ page }, info) => {
    const base = info.project.use.baseURL!
    const errors = watchConsole(page)
    await ensureAdmin(base)
    const api = await request.newContext({ baseURL: base })
    const id = await uploadReady(api, 'Phone share', 'public')
    await api.dispose()
    await signIn(page)
    await page.goto(`/watch/${id}`)
    await expect(page.getByRole('region', { name: 'Share' })).toBeVisible()
    await page.getByRole('region', { name: 'Share' }).scrollIntoViewIfNeeded()
    await docShot(page, info, 'studio-share-phone')
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    await page.goto('/?sort=title')
    await expect(page.getByTestId('video-card').first()).toBeVisible()
    await docShot(page, info, 'studio-library-phone')
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0)
    expect(errors).toEqual([])
  })
})
