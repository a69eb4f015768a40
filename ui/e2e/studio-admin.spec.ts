// Admin dashboard (issue #15 item 4) and the account and detail leftovers
// (items 5 and 7): the queue by kind with a failed job to retry, workers
// alive, encode throughput plotted, storage per prefix, webhooks and
// per-user quotas; signed-out pages that log nothing, the warning before
// the sign-in lock, no Retry on a file that is not media, and people
// suggested when sharing. Screenshots of the dashboard at desktop and
// phone sizes go to docs/screenshots/ when KINEMA_SCREENSHOTS=1. Named to
// sort after kinema.spec.ts, whose first test needs a fresh server.

import { expect, request, test, type APIRequestContext, type Page, type TestInfo } from '@playwright/test'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { ensureAdmin, shot, signIn, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const VIDEO = process.env.KINEMA_TEST_VIDEO ?? ''
const CORRUPT = process.env.KINEMA_TEST_CORRUPT ?? ''
test.skip(!process.env.KINEMA_URL || !TOKEN || !VIDEO || !CORRUPT, 'set KINEMA_URL, KINEMA_ADMIN_TOKEN, KINEMA_TEST_VIDEO and KINEMA_TEST_CORRUPT')

const auth = { Authorization: `Bearer ${TOKEN}` }
const UPLOADER = { email: 'quota-uploader@example.com', name: 'Quinn Quota', password: 'quota-password-1' }

/** upload creates a video over the API, uploads file and waits for status. */
async function upload(api: APIRequestContext, title: string, file: string, status: string, visibility = 'private'): Promise<string> {
  const res = await api.post('/api/v1/videos', { headers: auth, data: { title, visibility } })
  expect(res.status(), await res.text()).toBe(201)
  const v = await res.json()
  const put = await api.fetch(v.upload.url, { method: v.upload.method, data: readFileSync(file), headers: { 'Content-Type': 'video/mp4' } })
  expect(put.ok(), await put.text()).toBe(true)
  await expect
    .poll(async () => (await (await api.get(`/api/v1/videos/${v.id}`, { headers: auth })).json()).status, { timeout: 180_000, intervals: [500] })
    .toBe(status)
  return v.id
}

/** readyVideo reuses a ready public video of the earlier specs, or makes one. */
async function readyVideo(api: APIRequestContext): Promise<string> {
  const list = await (await api.get('/api/v1/videos?status=ready&limit=50', { headers: auth })).json()
  const v = (list.videos ?? []).find((x: { status: string; visibility: string }) => x.status === 'ready' && x.visibility === 'public')
  return v ? v.id : upload(api, 'Dashboard clip', VIDEO, 'ready', 'public')
}

async function docShot(page: Page, info: TestInfo, name: string) {
  await shot(page, info, name, true)
  if (process.env.KINEMA_SCREENSHOTS === '1') {
    await page.screenshot({ path: path.join(process.cwd(), '..', 'docs', 'screenshots', `${name}.png`), fullPage: true })
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

test('admin dashboard: jobs, retry, workers, throughput, storage, quotas, webhooks', async ({ page, baseURL }, info) => {
  test.setTimeout(240_000)
  await ensureAdmin(baseURL!)
  const api = await request.newContext({ baseURL })
  await readyVideo(api)
  const bad = await upload(api, 'Not media at all', CORRUPT, 'failed')
  const failed = await (await api.get(`/api/v1/videos/${bad}`, { headers: auth })).json()
  expect(failed.retryable).toBe(false)
  const made = await api.post('/api/v1/users', { headers: auth, data: { ...UPLOADER, role: 'uploader' } })
  expect([201, 409]).toContain(made.status())

  // The refused retry below answers 400, which Chromium logs.
  const errors = watchConsole(page, [/status of 400/])
  await signIn(page)
  await page.getByRole('button', { name: 'Account' }).click()
  await page.getByRole('menuitem', { name: 'Admin dashboard' }).click()
  await expect(page.getByRole('heading', { name: 'Admin dashboard' })).toBeVisible()
  await expect(page).toHaveTitle('Admin dashboard · kinema')

  // Workers: this server works jobs itself.
  await expect(page.getByTestId('worker-row').first()).toHaveAttribute('data-alive', 'true')
  expect(Number(await page.getByTestId('stat-workers').textContent())).toBeGreaterThanOrEqual(1)

  // Jobs: the probe of the file that is not media failed; retrying it
  // retries its video, which the server refuses with the reason.
  const probe = page.getByTestId('jobs-table').locator('tr[data-kind="probe"]')
  expect(Number(await probe.locator('[data-col="failed"]').textContent())).toBeGreaterThanOrEqual(1)
  expect(Number(await probe.locator('[data-col="done"]').textContent())).toBeGreaterThanOrEqual(1)
  const job = page.getByTestId('job-row').filter({ hasText: `video ${bad}` }).first()
  await expect(job).toHaveAttribute('data-kind', 'probe')
  await job.getByRole('button', { name: 'Retry' }).click()
  await expect(page.getByRole('region', { name: 'Jobs' }).getByRole('alert')).toContainText('would fail the same way')
  await expect(job.getByRole('button', { name: 'Retry' })).toHaveCount(0)

  // Throughput: both plots have ink (a video became ready in the range).
  await expect(page.getByTestId('throughput-summary')).not.toContainText('0 videos')
  await expect.poll(() => inkedCharts(page), { timeout: 15_000 }).toBeGreaterThanOrEqual(2)

  // Storage per prefix: the sources and media of the ready videos.
  const sources = page.getByTestId('storage-prefix').filter({ has: page.locator('text=Sources') })
  expect(Number(await page.locator('[data-testid="storage-prefix"][data-name="sources"]').getAttribute('data-bytes'))).toBeGreaterThan(0)
  expect(Number(await page.locator('[data-testid="storage-prefix"][data-name="media"]').getAttribute('data-bytes'))).toBeGreaterThan(0)
  await expect(sources).toHaveCount(1)

  // Quotas: give the uploader 1 GB of storage, see it against the usage.
  const quota = page.getByTestId('quota-row').filter({ hasText: UPLOADER.email })
  await quota.getByRole('button', { name: `Edit quotas of ${UPLOADER.email}` }).click()
  await quota.getByLabel(`Storage quota of ${UPLOADER.email} in GB`).fill('1')
  await quota.getByRole('button', { name: 'Save quotas' }).click()
  await expect(quota.getByRole('status')).toHaveText('Saved.')
  await expect(quota.getByTestId('quota-storage')).toContainText('of 1.00 GB (set for this user)')
  const u = await (await api.get('/api/v1/users', { headers: auth })).json()
  const id = u.users.find((x: { email: string }) => x.email === UPLOADER.email).id
  expect((await (await api.get(`/api/v1/users/${id}`, { headers: auth })).json()).quota_storage_bytes).toBe(1_000_000_000)

  // Webhooks: add one (secret once), send a test, see the delivery, delete.
  const hooks = page.getByRole('region', { name: 'Webhooks' })
  const hookURL = `https://hooks.example.com/kinema-${Date.now()}`
  await hooks.getByLabel('Webhook URL').fill(hookURL)
  await hooks.getByRole('button', { name: 'Add webhook' }).click()
  await expect(hooks.getByTestId('webhook-secret').getByLabel('Signing secret')).toHaveValue(/^whsec_/)
  const row = hooks.getByTestId('webhook-row').filter({ hasText: hookURL })
  await row.getByRole('button', { name: 'Send test' }).click()
  await expect(row.getByTestId('delivery-row').first()).toBeVisible()
  await expect(row.getByTestId('delivery-row').first()).toContainText('webhook.test')

  await page.evaluate(() => window.scrollTo(0, 0))
  await docShot(page, info, 'admin-dashboard-desktop')
  await page.setViewportSize({ width: 390, height: 844 })
  await expect.poll(() => inkedCharts(page)).toBeGreaterThanOrEqual(2)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  // What sticks out, named, when something does.
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('main *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('.table-scroll'))
      .slice(0, 5)
      .map((e) => `${e.tagName}.${e.className}: ${e.textContent?.slice(0, 40)}`),
  )
  expect(overflow, `the dashboard fits a phone; too wide: ${wide.join(' | ')}`).toBeLessThanOrEqual(0)
  await docShot(page, info, 'admin-dashboard-phone')
  await page.setViewportSize({ width: 1280, height: 800 })

  await row.getByRole('button', { name: `Delete webhook ${hookURL}` }).click()
  await row.getByRole('button', { name: `Confirm delete webhook ${hookURL}` }).click()
  await expect(row).toHaveCount(0)
  expect(errors).toEqual([])
  await api.dispose()
})

test('signed-out pages log no 401; wrong passwords warn before the lock; not-media has no Retry; sharing suggests people', async ({ browser, page, baseURL }, info) => {
  await ensureAdmin(baseURL!)
  const api = await request.newContext({ baseURL })
  const pub = await readyVideo(api)

  // Signed out: the library (sign-in form), the sign-in page and a public
  // watch page make no request that fails, so the console stays clean.
  const anon = await browser.newContext()
  const ap = await anon.newPage()
  const logged: string[] = []
  ap.on('console', (m) => {
    if (m.type() === 'error') logged.push(m.text())
  })
  ap.on('pageerror', (e) => logged.push(e.message))
  for (const url of ['/', '/signin', `/watch/${pub}`]) {
    await ap.goto(url)
    await expect(ap.getByRole('heading').first()).toBeVisible()
  }
  await expect(ap.getByTestId('play-button')).toBeVisible()
  expect(logged).toEqual([])

  // Wrong passwords: the third says two attempts are left before the lock
  // (an email nobody has: the answer is the same as for a real one).
  const who = `nobody-${Date.now()}@example.com`
  await ap.goto('/signin')
  for (let i = 1; i <= 3; i++) {
    await ap.getByLabel('Email').fill(who)
    await ap.getByLabel('Password').fill(`wrong password ${i}`)
    await ap.getByRole('button', { name: 'Sign in' }).click()
    await expect(ap.getByRole('alert')).toContainText(i < 3 ? 'Wrong email or password.' : '2 attempts left before sign-in for this email from your address is locked for 15 minutes.')
  }
  await shot(ap, info, 'signin-lock-warning', false)
  await anon.close()

  // A file that is not media: the reason, no Retry (owner and admin alike).
  const bad = await upload(api, 'Still not media', CORRUPT, 'failed')
  await signIn(page)
  await page.goto(`/watch/${bad}`)
  await expect(page.getByTestId('failure-reason')).not.toBeEmpty()
  await expect(page.getByRole('button', { name: /retry/i })).toHaveCount(0)

  // Sharing as an uploader: people of the same group are suggested, others
  // are found by their whole email only.
  const groupMate = { email: `mate-${Date.now()}@example.com`, name: 'Mia Mate', password: 'mate-password-12', role: 'viewer', groups: ['crew'] }
  const sharer = { email: `sharer-${Date.now()}@example.com`, name: 'Sam Sharer', password: 'sharer-password-1', role: 'uploader', groups: ['crew'] }
  for (const u of [groupMate, sharer]) {
    const r = await api.post('/api/v1/users', { headers: auth, data: u })
    expect(r.status(), await r.text()).toBe(201)
  }
  const other = await browser.newContext()
  const sp = await other.newPage()
  await signIn(sp, sharer)
  const created = await sp.evaluate(async () => {
    const csrf = (await (await fetch('/api/v1/auth/session')).json()).csrf_token
    const r = await fetch('/api/v1/videos', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ title: 'For the crew' }) })
    return (await r.json()).id as string
  })
  await sp.goto(`/watch/${created}`)
  await sp.getByLabel('Visibility').selectOption('restricted')
  await expect(sp.getByTestId('people-suggestions').locator(`option[value="${groupMate.email}"]`)).toHaveCount(1)
  await sp.getByLabel('People').fill(groupMate.email)
  await sp.getByRole('button', { name: 'Add', exact: true }).click()
  await expect(sp.getByRole('button', { name: `Remove ${groupMate.email}` })).toBeVisible()
  await sp.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(sp.getByRole('form', { name: 'Who can watch' }).getByRole('status')).toHaveText('Saved.')
  const v = await (await api.get(`/api/v1/videos/${created}`, { headers: auth })).json()
  expect(v.visibility).toBe('restricted')
  expect(v.allowed_users).toHaveLength(1)
  await other.close()
  await api.dispose()
})
