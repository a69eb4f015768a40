// Media breadth in the browser: a source with two audio languages plays in
// Debian's Chromium through hls.js (the app's player, its audio menu) and
// Shaka (DASH), each with the second language selected and checked.
// Needs a running server (scripts/ui-e2e.sh): KINEMA_URL, KINEMA_ADMIN_TOKEN;
// the media is generated here with ffmpeg.

import { expect, request, test, type APIRequestContext, type Page } from '@playwright/test'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensureAdmin, shot, signIn, startShaka, watchConsole } from './helpers'

const TOKEN = process.env.KINEMA_ADMIN_TOKEN ?? ''
const auth = { Authorization: `Bearer ${TOKEN}` }

test.skip(!process.env.KINEMA_URL || !TOKEN, 'set KINEMA_URL and KINEMA_ADMIN_TOKEN')

/** makeLanguagesClip writes a 6 s mkv with English (default) and French audio, the French one titled. */
function makeLanguagesClip(): string {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'kinema-media-')), 'languages.mkv')
  // prettier-ignore
  execFileSync('ffmpeg', ['-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=6',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
    '-f', 'lavfi', '-i', 'sine=frequency=660:sample_rate=48000:duration=6',
    '-map', '0:v', '-map', '1:a', '-map', '2:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2',
    '-metadata:s:a:0', 'language=eng', '-disposition:a:0', 'default',
    '-metadata:s:a:1', 'language=fre', '-metadata:s:a:1', 'title=Version française', '-disposition:a:1', '0',
    out])
  return out
}

/** uploadReady uploads file through the API and returns the ready video. */
async function uploadReady(api: APIRequestContext, file: string, title: string) {
  const created = await api.post('/api/v1/videos', { headers: auth, data: { title } })
  expect(created.status(), await created.text()).toBe(201)
  const v = await created.json()
  const put = await api.fetch(v.upload.url, { method: v.upload.method ?? 'PUT', data: readFileSync(file) })
  expect(put.ok(), await put.text()).toBeTruthy()
  let got: any
  await expect
    .poll(
      async () => {
        got = await (await api.get(`/api/v1/videos/${v.id}`, { headers: auth })).json()
        return got.status
      },
      { timeout: 180_000, intervals: [500] },
    )
    .toMatch(/ready|failed/)
  expect(got.status, got.error).toBe('ready')
  return got
}

let video: any

test.beforeAll(async ({}, info) => {
  test.setTimeout(240_000)
  await ensureAdmin(info.project.use.baseURL!)
  const api = await request.newContext({ baseURL: info.project.use.baseURL })
  try {
    video = await uploadReady(api, makeLanguagesClip(), 'Two languages')
    // French captions (SubRip), for playing captions and the second audio track at once.
    const srt = '1\n00:00:00,100 --> 00:00:05,900\nBonjour tout le monde\n'
    const cap = await api.post(`/api/v1/videos/${video.id}/captions?language=fr&label=Fran%C3%A7ais`, {
      headers: { ...auth, 'Content-Type': 'application/x-subrip' },
      data: srt,
    })
    expect(cap.status(), await cap.text()).toBe(201)
    video = await (await api.get(`/api/v1/videos/${video.id}`, { headers: auth })).json()
  } finally {
    await api.dispose()
  }
})

test('two audio languages: the API lists both, hls.js plays the second from the audio menu', async ({ page }, info) => {
  const audio = video.renditions.filter((r: any) => r.type === 'audio')
  expect(audio.map((r: any) => [r.id, r.language, r.name, !!r.default])).toEqual([
    ['a0', 'en', 'English', true],
    ['a1', 'fr', 'Version française', false],
  ])
  const errors = watchConsole(page)
  const audioSegments: string[] = []
  page.on('request', (r) => {
    const m = /\/(a\d)\/seg_\d+\.m4s/.exec(r.url())
    if (m) audioSegments.push(m[1])
  })
  await signIn(page)
  await page.goto(`/watch/${video.id}`)
  const button = page.getByTestId('audio-button')
  await expect(button).toHaveText('English')
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 0.5, undefined, { timeout: 30_000 })
  await button.click()
  await shot(page, info, 'audio-menu', false)
  await page.getByRole('menuitemradio', { name: 'Version française' }).click()
  await expect(button).toHaveText('Version française')
  await page.waitForFunction(() => window.__kinemaPlayer?.hls?.audioTrack === 1)
  const track = await page.evaluate(() => {
    const hls = window.__kinemaPlayer!.hls!
    const t = hls.audioTracks[hls.audioTrack]
    return { lang: t.lang, name: t.name, url: t.url }
  })
  expect(track.lang).toBe('fr')
  expect(track.name).toBe('Version française')
  expect(track.url).toMatch(/\/a1\/index\.m3u8/)
  // Segments of the French rendition arrive and playback goes on.
  await expect.poll(() => audioSegments.includes('a1'), { timeout: 30_000 }).toBeTruthy()
  const t1 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  await page.waitForFunction((t) => window.__kinemaPlayer!.video.currentTime > t + 0.5 || window.__kinemaPlayer!.video.ended, t1, { timeout: 30_000 })
  expect(errors).toEqual([])
})

test('two audio languages: Shaka plays the DASH manifest with French selected', async ({ page }) => {
  const dash: string = video.playback.dash
  expect(dash).toMatch(/manifest\.mpd\?/)
  await playShaka(page, dash)
})

test('captions and the second audio track at once: hls.js (the player menus) and Shaka (DASH)', async ({ page, browser }, info) => {
  const errors = watchConsole(page)
  const audioSegments: string[] = []
  page.on('request', (r) => {
    const m = /\/(a\d)\/seg_\d+\.m4s/.exec(r.url())
    if (m) audioSegments.push(m[1])
  })
  await signIn(page)
  await page.goto(`/watch/${video.id}`)
  await page.getByTestId('play-button').click()
  await page.waitForFunction(() => (window.__kinemaPlayer?.video.currentTime ?? 0) > 0.3, undefined, { timeout: 30_000 })
  await page.getByTestId('audio-button').click()
  await page.getByRole('menuitemradio', { name: 'Version française' }).click()
  await page.getByTestId('captions-button').click()
  await page.getByRole('menuitemradio', { name: 'Français' }).click()
  await page.evaluate(() => {
    window.__kinemaPlayer!.video.currentTime = 1
  })
  await page.waitForFunction(
    () => {
      const p = window.__kinemaPlayer!
      const tracks = p.video.textTracks
      let cues = false
      for (let i = 0; i < tracks.length; i++) {
        const t = tracks[i]
        if (t.mode !== 'disabled' && t.label === 'Français' && (t.cues?.length ?? 0) > 0) cues = true
      }
      return cues && p.hls?.audioTrack === 1 && p.hls?.subtitleTrack !== -1
    },
    undefined,
    { timeout: 30_000 },
  )
  await expect(page.getByTestId('captions')).toHaveText('Bonjour tout le monde', { timeout: 20_000 })
  await expect.poll(() => audioSegments.includes('a1'), { timeout: 30_000 }).toBeTruthy()
  const t1 = await page.evaluate(() => window.__kinemaPlayer!.video.currentTime)
  await page.waitForFunction((t) => window.__kinemaPlayer!.video.currentTime > t + 0.5 || window.__kinemaPlayer!.video.ended, t1, { timeout: 30_000 })
  await shot(page, info, 'captions-and-audio-hlsjs', false)
  expect(errors).toEqual([])

  // Shaka, on a bare page, with the same two choices made through its API.
  const shakaPage = await browser.newPage()
  try {
    const segs: string[] = []
    shakaPage.on('request', (r) => {
      const m = /\/(a\d)\/seg_\d+\.m4s/.exec(r.url())
      if (m) segs.push(m[1])
    })
    await shakaPage.setContent('<video id="v" muted playsinline width="320" height="240"></video>')
    await startShaka(shakaPage, video.playback.dash)
    const chosen = await shakaPage.evaluate(async () => {
      const player = (window as any).player
      player.selectAudioTrack(player.getAudioTracks().find((t: any) => t.language === 'fr'))
      player.selectTextTrack(player.getTextTracks().find((t: any) => t.language === 'fr'))
      if (typeof player.setTextTrackVisibility === 'function') await player.setTextTrackVisibility(true)
      await (document.getElementById('v') as HTMLVideoElement).play()
      return (window as any).shakaErrors as string[]
    })
    expect(chosen).toEqual([])
    await shakaPage.waitForFunction(
      () => {
        const v = document.getElementById('v') as HTMLVideoElement
        for (let i = 0; i < v.textTracks.length; i++) if ((v.textTracks[i].cues?.length ?? 0) > 0) return v.currentTime > 1.5
        return false
      },
      undefined,
      { timeout: 30_000 },
    )
    const active = await shakaPage.evaluate(() => {
      const p = (window as any).player
      const a = p.getAudioTracks().find((t: any) => t.active)
      const s = p.getTextTracks().find((t: any) => t.active)
      const v = document.getElementById('v') as HTMLVideoElement
      const texts: string[] = []
      for (let i = 0; i < v.textTracks.length; i++) for (const c of Array.from(v.textTracks[i].cues ?? [])) texts.push((c as VTTCue).text)
      return { audio: a?.language, text: s?.language, label: s?.label, cues: texts, errors: (window as any).shakaErrors }
    })
    expect(active.errors).toEqual([])
    expect([active.audio, active.text, active.label]).toEqual(['fr', 'fr', 'Français'])
    expect(active.cues.join(' ')).toContain('tout')
    expect(segs).toContain('a1')
  } finally {
    await shakaPage.close()
  }
})

/** playShaka loads the MPD in Shaka on a blank page, selects French, plays and checks the active track. */
async function playShaka(page: Page, dash: string) {
  const audioSegments: string[] = []
  page.on('request', (r) => {
    const m = /\/(a\d)\/seg_\d+\.m4s/.exec(r.url())
    if (m) audioSegments.push(m[1])
  })
  await page.setContent('<video id="v" muted playsinline width="320" height="240"></video>')
  await startShaka(page, dash)
  const result = await page.evaluate(async () => {
    const player = (window as any).player
    const tracks = player.getAudioTracks()
    const languages = tracks.map((t: any) => `${t.language}:${t.label}`)
    const before = tracks.find((t: any) => t.active)?.language
    player.selectAudioTrack(tracks.find((t: any) => t.language === 'fr'))
    await (document.getElementById('v') as HTMLVideoElement).play()
    return { languages, before, errors: (window as any).shakaErrors as string[] }
  })
  expect(result.errors).toEqual([])
  expect([...result.languages].sort()).toEqual(['en:English', 'fr:Version française'])
  expect(result.before).toBe('en')
  await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime > 1.5, undefined, { timeout: 30_000 })
  const active = await page.evaluate(() => {
    const p = (window as any).player
    const a = p.getAudioTracks().find((t: any) => t.active)
    const v = p.getVariantTracks().find((t: any) => t.active)
    return { language: a.language, label: a.label, variantLanguage: v.language }
  })
  expect(active).toEqual({ language: 'fr', label: 'Version française', variantLanguage: 'fr' })
  expect(audioSegments).toContain('a1')
}

test('downloads: the owner offers them, the page links an MP4 and an M4A served as attachments', async ({ page, request }, info) => {
  const errors = watchConsole(page)
  await signIn(page)
  await page.goto(`/watch/${video.id}`)
  const box = page.getByRole('region', { name: 'Downloads' })
  await expect(box.getByTestId('download-original')).toBeVisible()
  await expect(box.getByTestId('download-mp4')).toHaveCount(0)
  await box.getByLabel(/Let viewers download/).check()
  const mp4 = box.getByTestId('download-mp4')
  await expect(mp4).toBeVisible({ timeout: 60_000 })
  await shot(page, info, 'downloads', false)
  for (const [link, type, ext] of [
    [mp4, 'video/mp4', '.mp4'],
    [box.getByTestId('download-m4a'), 'audio/mp4', '.m4a'],
  ] as const) {
    const res = await request.get((await link.getAttribute('href'))!)
    expect(res.status()).toBe(200)
    expect(res.headers()['content-type']).toBe(type)
    expect(res.headers()['content-disposition']).toBe(`attachment; filename="Two languages${ext}"`)
    const body = await res.body()
    expect(body.subarray(4, 8).toString()).toBe('ftyp')
    expect(body.indexOf('moov')).toBeLessThan(body.indexOf('mdat'))
  }
  const orig = await request.get((await box.getByTestId('download-original').getAttribute('href'))!, { headers: auth })
  expect(orig.status()).toBe(200)
  expect(orig.headers()['content-disposition']).toMatch(/^attachment/)
  expect(errors).toEqual([])
})
