// Posters and audio tracks added after upload (#14), in Debian's Chromium:
// the owner uploads a poster image on the watch page and the player, the
// library card, the embed page and the poster box show the re-encoded picture; "use current
// frame" replaces it; an audio file in another language added on the same
// page is offered by hls.js (and the audio menu) after a reload, and plays.
// Needs a running server (scripts/ui-e2e.sh): KINEMA_URL, KINEMA_ADMIN_TOKEN.

import { expect, request, test } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensureAdmin, shot, signIn, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const auth = { Authorization: `Bearer ${TOKEN}` }

test.skip(!process.env.KINEMA_URL || !TOKEN, 'set KINEMA_URL and KINEMA_ADMIN_TOKEN')

const dir = mkdtempSync(path.join(os.tmpdir(), 'kinema-extras-'))

/** ffmpeg writes out in dir from lavfi sources. */
function make(name: string, args: string[]): string {
  const out = path.join(dir, name)
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out])
  return out
}

let videoId = ''

test.beforeAll(async ({}, info) => {
  test.setTimeout(240_000)
  await ensureAdmin(info.project.use.baseURL!)
  // prettier-ignore
  const clip = make('clip.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=6',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'])
  const api = await request.newContext({ baseURL: info.project.use.baseURL })
  try {
    const created = await api.post('/api/v1/videos', { headers: auth, data: { title: 'Poster and dub', visibility: 'unlisted' } })
    expect(created.status(), await created.text()).toBe(201)
    const v = await created.json()
    const put = await api.fetch(v.upload.url, { method: v.upload.method ?? 'PUT', data: readFileSync(clip) })
    expect(put.ok(), await put.text()).toBeTruthy()
    await expect
      .poll(async () => (await (await api.get(`/api/v1/videos/${v.id}`, { headers: auth })).json()).status, { timeout: 180_000, intervals: [500] })
      .toBe('ready')
    videoId = v.id
  } finally {
    await api.dispose()
  }
})

test('poster: an uploaded image is re-encoded and shown by the player and the library; "use current frame" replaces it', async ({ page, request }, info) => {
  const errors = watchConsole(page, [/status of 415/]) // the refused fake below
  // A plain red picture: easy to tell from the test pattern's frames.
  const red = make('red.png', ['-f', 'lavfi', '-i', 'color=c=red:size=640x360', '-frames:v', '1'])
  await signIn(page)
  await page.goto(`/watch/${videoId}`)
  const box = page.getByRole('region', { name: 'Poster' })
  const current = box.getByTestId('poster-current')
  await expect(current).toHaveAttribute('src', /\/poster\.jpg\?/)

  // A text file named .jpg is refused with the server's sentence.
  await box.getByTestId('poster-file').setInputFiles({ name: 'fake.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<svg onload="alert(1)"/>') })
  await expect(box.getByRole('alert')).toHaveText('A poster must be a JPEG, PNG or WebP image.')
  await expect(current).toHaveAttribute('src', /\/poster\.jpg\?/)

  await box.getByTestId('poster-file').setInputFiles(red)
  await expect(current).toHaveAttribute('src', /\/poster-[0-9a-f]{16}\.jpg\?token=/)
  const uploaded = (await current.getAttribute('src'))!
  await expect(page.locator('video')).toHaveAttribute('poster', uploaded)
  await expect(box.getByRole('button', { name: "Use kinema's choice" })).toBeVisible()
  await expect.poll(() => current.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640)
  // What is served is a JPEG kinema made, red in the middle.
  const res = await request.get(uploaded)
  expect(res.status()).toBe(200)
  expect(res.headers()['content-type']).toBe('image/jpeg')
  const rgb = await current.evaluate((img: HTMLImageElement) => {
    const c = document.createElement('canvas')
    c.width = img.naturalWidth
    c.height = img.naturalHeight
    const ctx = c.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    return Array.from(ctx.getImageData(c.width / 2, c.height / 2, 1, 1).data.slice(0, 3))
  })
  expect(rgb[0]).toBeGreaterThan(200)
  expect(rgb[1]).toBeLessThan(60)
  await shot(page, info, 'poster-uploaded', false)

  // The library card shows the chosen poster.
  await page.goto('/')
  const card = page.locator(`a[href="/watch/${videoId}"] img`).first()
  await expect(card).toHaveAttribute('src', /\/poster-[0-9a-f]{16}\.jpg\?token=/)
  await expect.poll(() => card.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)

  // So does the embed page (it fetches the video anonymously).
  await page.goto(`/embed/${videoId}`)
  await expect(page.locator('video')).toHaveAttribute('poster', /\/poster-[0-9a-f]{16}\.jpg\?token=/)

  // A frame of the video replaces it under a new name.
  await page.goto(`/watch/${videoId}`)
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 1, undefined, { timeout: 30_000 })
  await box.getByRole('button', { name: 'Use current frame' }).click()
  await expect(current).not.toHaveAttribute('src', new RegExp(path.basename(new URL(uploaded).pathname)))
  await expect(current).toHaveAttribute('src', /\/poster-[0-9a-f]{16}\.jpg\?token=/)
  expect((await request.get(uploaded)).status(), 'the replaced poster is gone').toBe(404)
  await page.reload()
  await expect(current).toHaveAttribute('src', /\/poster-[0-9a-f]{16}\.jpg\?token=/)
  expect(errors).toEqual([])
})

test('audio track added on the watch page: hls.js offers it after encoding and plays it', async ({ page }, info) => {
  const errors = watchConsole(page)
  // prettier-ignore
  const dub = make('de.m4a', ['-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=44100:duration=6', '-c:a', 'aac', '-ac', '1'])
  await signIn(page)
  await page.goto(`/watch/${videoId}`)
  const box = page.getByRole('region', { name: 'Audio tracks' })
  await box.getByLabel('Language').fill('de')
  await box.getByLabel('Name').fill('Deutsch')
  await box.getByLabel('Audio file').setInputFiles(dub)
  await box.getByRole('button', { name: 'Add audio track' }).click()
  await expect(box.getByTestId('added-audio')).toContainText('Deutsch (de)')
  await expect(box.getByTestId('added-audio-status')).toHaveText('Ready', { timeout: 120_000 })
  await shot(page, info, 'audio-added', false)

  const segments: string[] = []
  page.on('request', (r) => {
    const m = /\/(au[0-9a-f]+)\/seg_\d+\.m4s/.exec(r.url())
    if (m) segments.push(m[1])
  })
  await page.reload()
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.hls?.audioTracks.length ?? 0) === 2, undefined, { timeout: 30_000 })
  const tracks = await page.evaluate(() => window.__kinemaPlayer!.hls!.audioTracks.map((t) => ({ lang: t.lang, name: t.name })))
  expect(tracks).toContainEqual({ lang: 'de', name: 'Deutsch' })
  const button = page.getByTestId('audio-button')
  await button.click()
  await page.getByRole('menuitemradio', { name: 'Deutsch' }).click()
  await expect(button).toHaveText('Deutsch')
  await page.waitForFunction(() => {
    const h = window.__kinemaPlayer?.hls
    return !!h && h.audioTracks[h.audioTrack]?.lang === 'de'
  })
  await expect.poll(() => segments.length, { timeout: 30_000 }).toBeGreaterThan(0)
  const t1 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  await page.waitForFunction((t) => window.__kinemaPlayer!.video.currentTime > t + 0.5 || window.__kinemaPlayer!.video.ended, t1, { timeout: 30_000 })
  expect(errors).toEqual([])
})
