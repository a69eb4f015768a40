// Progressive playback (#12): hls.js, Shaka and dash.js, each with its
// default settings, play a video from its first to its last frame while
// its later chunks are still being encoded, and never get a 4xx for any
// manifest or segment (a segment being encoded is waited for, or answered
// 503, which players retry). A viewer who seeks far ahead just after the
// video became playable gets playback there too. The source is 480p so
// that the ladder can have three rungs or more, with which the first chunk
// is encoded in two passes (the two lowest rungs first).

import { expect, request, test, type Browser, type Page, type Response } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? 'ui-e2e-admin-token'
const lib = (p: string) => fileURLToPath(new URL(`../node_modules/${p}`, import.meta.url))
const LIBS = {
  hls: lib('hls.js/dist/hls.min.js'),
  shaka: lib('shaka-player/dist/shaka-player.compiled.js'),
  dash: lib('dashjs/dist/modern/umd/dash.all.min.js'),
}
const SECONDS = 40

type Kind = keyof typeof LIBS

interface Watch {
  page: Page
  bad: string[] // media responses with a 4xx
  retried: number // 503s (segments still encoding), retried by the player
}

/** open loads one player library into a blank page with a muted <video>. */
async function open(browser: Browser, kind: Kind): Promise<Watch> {
  const page = await browser.newPage()
  const w: Watch = { page, bad: [], retried: 0 }
  page.on('response', (r: Response) => {
    if (!r.url().includes('/media/')) return
    if (r.status() >= 400 && r.status() < 500) w.bad.push(`${r.status()} ${new URL(r.url()).pathname}`)
    if (r.status() === 503) w.retried++
  })
  page.on('pageerror', (e) => w.bad.push(`pageerror: ${e.message}`))
  await page.setContent('<video id="v" muted playsinline style="width:640px"></video>')
  await page.addScriptTag({ path: LIBS[kind] })
  return w
}

/** start plays url with the page's library at rate, recording fatal errors in window.__fatal. */
async function start(w: Watch, kind: Kind, url: string, rate: number) {
  await w.page.evaluate(
    async ({ kind, url, rate }) => {
      const g = window as unknown as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
      const video = document.getElementById('v') as HTMLVideoElement
      g.__fatal = ''
      g.__firstFrame = 0
      video.addEventListener('playing', () => (g.__firstFrame ||= performance.now()), { once: true })
      video.addEventListener('loadedmetadata', () => (video.playbackRate = rate))
      if (kind === 'hls') {
        const hls = new g.Hls()
        hls.on(g.Hls.Events.ERROR, (_: unknown, d: { fatal: boolean; details: string }) => {
          if (d.fatal) g.__fatal = `hls.js: ${d.details}`
        })
        hls.loadSource(url)
        hls.attachMedia(video)
      } else if (kind === 'shaka') {
        g.shaka.polyfill.installAll()
        const player = new g.shaka.Player()
        player.addEventListener('error', (e: { detail: { code: number } }) => (g.__fatal = `shaka: ${e.detail.code}`))
        await player.attach(video)
        await player.load(url)
      } else {
        const player = g.dashjs.MediaPlayer().create()
        player.on('error', (e: { error?: { code?: number; message?: string } }) => (g.__fatal = `dash.js: ${e.error?.code} ${e.error?.message}`))
        player.initialize(video, url, false)
      }
      video.playbackRate = rate
      await video.play().catch(() => video.addEventListener('canplay', () => void video.play(), { once: true }))
    },
    { kind, url, rate },
  )
}

const state = (w: Watch) =>
  w.page.evaluate(() => {
    const g = window as unknown as Record<string, unknown>
    const v = document.getElementById('v') as HTMLVideoElement
    return { t: v.currentTime, ended: v.ended, d: v.duration, fatal: String(g.__fatal ?? ''), first: Number(g.__firstFrame ?? 0) }
  })

test('hls.js, Shaka and dash.js play a video while it is still encoding, and a seek ahead is served', async ({ browser, baseURL }, info) => {
  test.setTimeout(300_000)
  const clip = info.outputPath('progressive.mp4')
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=854x480:rate=30:duration=${SECONDS}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${SECONDS}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip,
  ])
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${TOKEN}` } })
  const created = await (await api.post('/api/v1/videos', { data: { title: 'progressive' } })).json()
  const put = await api.fetch(created.upload.url, { method: created.upload.method ?? 'PUT', data: readFileSync(clip) })
  expect(put.ok(), await put.text()).toBeTruthy()

  const video = async () => (await api.get(`/api/v1/videos/${created.id}`)).json()
  let v = await video()
  await expect
    .poll(async () => ((v = await video()), v.playback?.hls ? 'playable' : v.status), { timeout: 120_000, intervals: [100] })
    .toBe('playable')
  expect(v.status, 'playable before ready').toBe('processing')
  expect(v.playable_at).toBeTruthy()

  // Three players from the start at 4x, so they catch up with the encoder,
  // and one that seeks to 80% right away.
  const players: [Kind, string, Watch][] = []
  for (const kind of ['hls', 'shaka', 'dash'] as Kind[]) {
    const w = await open(browser, kind)
    players.push([kind, kind === 'hls' ? v.playback.hls : v.playback.dash, w])
  }
  const seeker = await open(browser, 'hls')
  for (const [kind, url, w] of players) await start(w, kind, url, 4)
  await start(seeker, 'hls', v.playback.hls, 1)

  await expect.poll(async () => (await state(players[0][2])).first, { timeout: 60_000 }).toBeGreaterThan(0)
  const atFirstFrame = await video()
  expect(atFirstFrame.status, 'later chunks still encoding when playback started').toBe('processing')

  // The seek: wait for the first frame, then jump to 80%; playback resumes there.
  await expect.poll(async () => (await state(seeker)).first, { timeout: 60_000 }).toBeGreaterThan(0)
  const target = SECONDS * 0.8
  await seeker.page.evaluate((t) => ((document.getElementById('v') as HTMLVideoElement).currentTime = t), target)
  await expect.poll(async () => (await state(seeker)).t, { timeout: 90_000 }).toBeGreaterThan(target + 1)

  for (const [kind, , w] of players) {
    await expect
      .poll(async () => {
        const s = await state(w)
        if (s.fatal) return s.fatal
        return s.ended || (s.d > 0 && s.t >= s.d - 0.3) ? 'ended' : `at ${s.t.toFixed(1)} of ${s.d}`
      }, { message: kind, timeout: 180_000, intervals: [500] })
      .toBe('ended')
    const s = await state(w)
    expect(s.d, `${kind} knows the whole duration`).toBeGreaterThan(SECONDS - 1)
  }
  for (const [kind, , w] of [...players, ['hls-seek', '', seeker] as [string, string, Watch]]) {
    expect(w.bad, `${kind}: no 4xx`).toEqual([])
    console.log(`${kind}: ${w.retried} answers 503 (segment still encoding), retried`)
  }
  await expect.poll(async () => (await video()).status, { timeout: 120_000 }).toBe('ready')
  for (const w of [...players.map((p) => p[2]), seeker]) await w.page.close()
  await api.dispose()
})
