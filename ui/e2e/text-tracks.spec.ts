// Captions and chapters end to end: an mkv with a SubRip stream and
// chapters (made here with ffmpeg) is uploaded over the API, an SRT file
// with script in its cues is added after the video is ready, and the watch
// page plays the HLS stream in Chromium with hls.js: the captions menu
// lists both tracks, the chosen one's cues reach the video's TextTrack and
// the player's overlay as plain text (the script is shown, never run), and
// the chapters mark the seek bar. Needs KINEMA_URL and KINEMA_ADMIN_TOKEN
// (scripts/ui-e2e.sh) and ffmpeg. The file sorts after kinema.spec.ts,
// whose first test needs a server with no account and no video yet.

import { expect, test, type APIRequestContext } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { ensureAdmin, shot, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
test.skip(!process.env.KINEMA_URL || !TOKEN, 'set KINEMA_URL and KINEMA_ADMIN_TOKEN')

const auth = { Authorization: `Bearer ${TOKEN}` }

/** The video the first test made, which the Shaka test plays again. */
let videoID = ''

/** makeSubtitled writes a 6 s mkv with an English SubRip stream and two chapters. */
function makeSubtitled(dir: string): string {
  const srt = path.join(dir, 'en.srt')
  fs.writeFileSync(srt, '1\n00:00:00,200 --> 00:00:05,800\nSource says hello\n')
  const meta = path.join(dir, 'chapters.txt')
  fs.writeFileSync(meta, ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=3000\ntitle=Opening\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=3000\nEND=6000\ntitle=Finale\n')
  const out = path.join(dir, 'subtitled.mkv')
  execFileSync('ffmpeg', ['-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
    '-i', srt, '-i', meta, '-map', '0', '-map', '1', '-map', '2', '-map_chapters', '3',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'srt', '-metadata:s:s:0', 'language=eng', out])
  return out
}

async function uploadReady(request: APIRequestContext, file: string): Promise<string> {
  const created = await request.post('/api/v1/videos', { headers: auth, data: { title: 'Captioned', visibility: 'unlisted' } })
  expect(created.status(), await created.text()).toBe(201)
  const v = await created.json()
  const put = await request.fetch(v.upload.url, { method: v.upload.method, data: fs.readFileSync(file) })
  expect(put.ok(), await put.text()).toBeTruthy()
  await expect
    .poll(async () => (await (await request.get(`/api/v1/videos/${v.id}`, { headers: auth })).json()).status, { timeout: 180_000, intervals: [1000] })
    .toBe('ready')
  return v.id
}

test('captions menu, cues as plain text, chapters on the seek bar (hls.js)', async ({ page, request }, info) => {
  const errors = watchConsole(page)
  // The admin exists before any video does, whatever ran before.
  await ensureAdmin(info.project.use.baseURL!)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kinema-captions-'))
  const id = await uploadReady(request, makeSubtitled(dir))
  videoID = id

  // The source's SubRip stream became a track; now add one after ready,
  // with markup that must never run.
  const hostile = '1\n00:00:00,100 --> 00:00:05,900\n<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & more\n'
  const added = await request.post(`/api/v1/videos/${id}/captions?language=fr&label=Fran%C3%A7ais`, {
    headers: { ...auth, 'Content-Type': 'application/x-subrip' },
    data: hostile,
  })
  expect(added.status(), await added.text()).toBe(201)
  // Hostile uploads are refused with a reason.
  const wrongType = await request.post(`/api/v1/videos/${id}/captions?language=en`, { headers: { ...auth, 'Content-Type': 'image/png' }, data: 'x' })
  expect(wrongType.status()).toBe(415)
  const tooBig = await request.post(`/api/v1/videos/${id}/captions?language=en`, {
    headers: { ...auth, 'Content-Type': 'text/vtt' },
    data: 'WEBVTT\n\n' + '00:00.000 --> 00:01.000\n'.padEnd(3 << 20, 'x'),
  })
  expect(tooBig.status()).toBe(413)
  const broken = await request.post(`/api/v1/videos/${id}/captions?language=en`, {
    headers: { ...auth, 'Content-Type': 'application/x-subrip' },
    data: '1\n00:00:01,000 --> 00:00:0x,000\nbad\n',
  })
  expect(broken.status()).toBe(400)
  expect((await broken.json()).error.message).toContain('line 2')

  const list = await (await request.get(`/api/v1/videos/${id}/captions`, { headers: auth })).json()
  expect(list.captions.map((c: { label: string; origin: string }) => `${c.label}/${c.origin}`)).toEqual(['English/source', 'Français/upload'])

  await page.goto(`/watch/${id}`)
  await expect(page.getByTestId('captions-button')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('chapter-mark')).toHaveCount(1) // Finale at 3 s; Opening starts at 0
  await page.getByTestId('captions-button').click()
  await expect(page.getByTestId('captions-menu').getByRole('menuitemradio')).toHaveText(['Off', 'English', 'Français'])
  await page.getByRole('menuitemradio', { name: 'Français' }).click()
  await page.getByTestId('play-button').click()

  // The cues reached the TextTrack hls.js made for the selected track...
  await page.waitForFunction(() => {
    const tracks = window.__kinemaPlayer?.video.textTracks
    for (let i = 0; tracks && i < tracks.length; i++) {
      const t = tracks[i]
      if (t.mode !== 'disabled' && t.label === 'Français' && (t.cues?.length ?? 0) > 0) return true
    }
    return false
  }, undefined, { timeout: 30_000 })
  // ... and the overlay shows them as text.
  const overlay = page.getByTestId('captions')
  await expect(overlay).toContainText('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> & more')
  expect(await overlay.locator('script, img').count()).toBe(0)
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  await shot(page, info, 'captions-french', false)

  // Switching to the source's track.
  await page.getByTestId('captions-button').click()
  await page.getByRole('menuitemradio', { name: 'English' }).click()
  await page.evaluate(() => {
    const v = window.__kinemaPlayer!.video
    v.currentTime = 1
  })
  await expect(overlay).toHaveText('Source says hello', { timeout: 20_000 })

  // Chapter titles show under the pointer on the seek bar.
  const bar = page.getByTestId('seek-bar')
  const box = (await bar.boundingBox())!
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2)
  await expect(page.getByTestId('chapter-title')).toHaveText('Finale')
  await shot(page, info, 'chapters-hover', false)

  // Off hides them.
  await page.getByTestId('captions-button').click()
  await page.getByRole('menuitemradio', { name: 'Off' }).click()
  await expect(overlay).toHaveCount(0)
  expect(errors).toEqual([])
})

test('Shaka plays the DASH manifest with the French captions selected', async ({ page, request }) => {
  test.skip(!videoID, 'needs the video of the previous test')
  const v = await (await request.get(`/api/v1/videos/${videoID}`, { headers: auth })).json()
  const dash: string = v.playback.dash
  await page.setContent('<video id="v" muted playsinline width="320" height="240"></video>')
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('shaka-player/dist/shaka-player.compiled.js') })
  const result = await page.evaluate(async (url) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const shaka = (window as any).shaka
    shaka.polyfill.installAll()
    const video = document.getElementById('v') as HTMLVideoElement
    const player = new shaka.Player()
    await player.attach(video)
    const errors: string[] = []
    player.addEventListener('error', (e: { detail?: { code?: number } }) => errors.push(String(e.detail?.code)))
    await player.load(url)
    const tracks = player.getTextTracks()
    const listed = tracks.map((t: { language: string; label: string; kind: string }) => `${t.language}:${t.label}:${t.kind}`)
    player.selectTextTrack(tracks.find((t: { language: string }) => t.language === 'fr'))
    // Shaka 5 shows the selected track; older versions need this.
    if (typeof player.setTextTrackVisibility === 'function') await player.setTextTrackVisibility(true)
    await video.play()
    return { listed, errors }
  }, dash)
  expect(result.errors).toEqual([])
  expect([...result.listed].sort()).toEqual(['en:English:subtitle', 'fr:Français:subtitle'])
  // Shaka fetched the signed WebVTT and put its cue on the video.
  const cue = await page.waitForFunction(() => {
    const tracks = (document.getElementById('v') as HTMLVideoElement).textTracks
    for (let i = 0; i < tracks.length; i++) {
      const c = tracks[i].cues
      if (tracks[i].mode !== 'disabled' && c && c.length > 0) return { start: c[0].startTime, text: (c[0] as VTTCue).text }
    }
    return false
  }, undefined, { timeout: 30_000 })
  const { start, text } = (await cue.jsonValue()) as { start: number; text: string }
  expect(start).toBeCloseTo(0.1, 1)
  expect(text).toContain('window.__pwned = 1')
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
})
