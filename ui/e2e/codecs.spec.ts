// AV1 beside H.264: a kinema server of its own with --codecs h264,av1
// processes the test clip; hls.js (HLS) and Shaka (DASH) in Debian's
// chromium pick and decode the AV1 rendition, and players told that AV1
// cannot be decoded play H.264 from the same manifests.

import { test, expect, type Page } from '@playwright/test'
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startShaka } from './helpers'

const BIN = process.env.KINEMA_BIN!
const CLIP = process.env.KINEMA_TEST_VIDEO!
const TOKEN = 'codecs-admin-token'
const PORT = Number(process.env.UI_E2E_CODECS_PORT || 18795)
const URL = `http://127.0.0.1:${PORT}`
const require = createRequire(import.meta.url)
const hlsPath = require.resolve('hls.js/dist/hls.min.js')

let server: ChildProcess
let data: string
let master: string
let dash: string

test.beforeAll(async () => {
  test.setTimeout(240_000)
  data = mkdtempSync(join(tmpdir(), 'kinema-codecs-'))
  server = spawn(BIN, ['serve', '--addr', `127.0.0.1:${PORT}`, '--metrics-addr', '127.0.0.1:0', '--data', data,
    '--srt-addr=', '--rtmp-addr=', '--codecs', 'h264,av1'], {
    env: { ...process.env, KINEMA_ADMIN_TOKEN: TOKEN, KINEMA_LADDER: '360,240' },
    stdio: 'ignore',
  })
  await expect.poll(async () => (await fetch(`${URL}/healthz`).catch(() => null))?.status, { timeout: 20_000 }).toBe(200)
  const out = execFileSync(BIN, ['upload', '--server', URL, '--token', TOKEN, '--wait', CLIP], { timeout: 200_000, stdio: ['ignore', 'pipe', 'ignore'] })
  const video = JSON.parse(out.toString())
  expect(video.status).toBe('ready')
  const codecs: string[] = video.renditions.filter((r: { type: string }) => r.type === 'video').map((r: { codecs: string }) => r.codecs)
  expect(codecs.filter((c) => c.startsWith('av01'))).toHaveLength(2)
  expect(codecs.filter((c) => c.startsWith('avc1'))).toHaveLength(2)
  master = video.playback.hls
  dash = video.playback.dash
})

test.afterAll(() => {
  server?.kill()
  if (data) rmSync(data, { recursive: true, force: true })
})

/**
 * blankPage opens an empty page on the server's origin, optionally as a
 * browser without AV1: MSE (hls.js asks it) and MediaCapabilities (Shaka
 * asks it) both refuse av01.
 */
async function blankPage(page: Page, refuseAV1: boolean) {
  await page.goto(`${URL}/healthz`) // same origin as the media, no CORS in play
  await page.setContent('<video id="v" muted playsinline></video>')
  if (refuseAV1) {
    await page.evaluate(() => {
      const original = MediaSource.isTypeSupported.bind(MediaSource)
      MediaSource.isTypeSupported = (type: string) => !/av01/.test(type) && original(type)
      const decodingInfo = navigator.mediaCapabilities.decodingInfo.bind(navigator.mediaCapabilities)
      navigator.mediaCapabilities.decodingInfo = async (config: MediaDecodingConfiguration) => {
        const info = await decodingInfo(config)
        if (!/av01/.test(config.video?.contentType ?? '')) return info
        return { ...info, supported: false, smooth: false, powerEfficient: false }
      }
    })
  }
}

/** play loads master in a bare page with hls.js and returns what it decodes. */
async function play(page: Page, refuseAV1: boolean) {
  await blankPage(page, refuseAV1)
  await page.addScriptTag({ path: hlsPath })
  await page.evaluate((src) => {
    const w = window as unknown as { Hls: any; hls: any; errors: string[] }
    w.errors = []
    const hls = new w.Hls({ capLevelToPlayerSize: false })
    w.hls = hls
    hls.on(w.Hls.Events.ERROR, (_: unknown, d: { fatal: boolean; details: string }) => d.fatal && w.errors.push(d.details))
    hls.loadSource(src)
    hls.attachMedia(document.getElementById('v'))
    hls.on(w.Hls.Events.MANIFEST_PARSED, () => (document.getElementById('v') as HTMLVideoElement).play())
  }, master)
  await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime > 1.5, undefined, { timeout: 60_000 })
  return page.evaluate(() => {
    const w = window as unknown as { hls: any; errors: string[] }
    const v = document.getElementById('v') as HTMLVideoElement
    return {
      codec: w.hls.levels[w.hls.currentLevel].videoCodec as string,
      offered: w.hls.levels.map((l: { videoCodec: string }) => l.videoCodec) as string[],
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      errors: w.errors,
    }
  })
}

test('hls.js decodes the AV1 rendition where AV1 is supported', async ({ page }) => {
  const got = await play(page, false)
  expect(got.errors).toEqual([])
  expect(got.codec).toMatch(/^av01\./)
  expect(got.frames).toBeGreaterThan(20)
})

test('a player without AV1 plays H.264 from the same playlist', async ({ page }) => {
  const got = await play(page, true)
  expect(got.errors).toEqual([])
  expect(got.codec).toMatch(/^avc1\./)
  expect(got.offered.every((c) => c.startsWith('avc1'))).toBe(true)
  expect(got.frames).toBeGreaterThan(20)
})

/** playShaka loads the MPD in Shaka and returns the active variant's codec. */
async function playShaka(page: Page, refuseAV1: boolean) {
  await blankPage(page, refuseAV1)
  await startShaka(page, dash)
  await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play())
  await page.waitForFunction(() => (document.getElementById('v') as HTMLVideoElement).currentTime > 1.5, undefined, { timeout: 60_000 })
  return page.evaluate(() => {
    const p = (window as any).player
    const v = document.getElementById('v') as HTMLVideoElement
    return {
      codec: p.getVariantTracks().find((t: any) => t.active).videoCodec as string,
      offered: [...new Set(p.getVariantTracks().map((t: any) => t.videoCodec))] as string[],
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      errors: (window as any).shakaErrors as string[],
    }
  })
}

test('Shaka decodes the AV1 representation of the DASH manifest', async ({ page }) => {
  const got = await playShaka(page, false)
  expect(got.errors).toEqual([])
  expect(got.codec).toMatch(/^av01\./)
  expect(got.frames).toBeGreaterThan(20)
})

test('Shaka without AV1 plays the H.264 AdaptationSet', async ({ page }) => {
  const got = await playShaka(page, true)
  expect(got.errors).toEqual([])
  expect(got.codec).toMatch(/^avc1\./)
  expect(got.offered.every((c) => c.startsWith('avc1'))).toBe(true)
  expect(got.frames).toBeGreaterThan(20)
})
