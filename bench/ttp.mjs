// Time to play, measured by bench/ttp.sh: uploads SRC to a kinema server
// (KINEMA_URL, admin token KINEMA_ADMIN_TOKEN) and prints one JSON line:
//   upload_s      the upload itself (not part of the times below)
//   playable_s    upload complete → the API hands out playback URLs
//   first_frame_s upload complete → hls.js in Chromium renders the first frame
//   seek_s        seek to 80% of the duration right after that first frame →
//                 playback moving again there
//   play_lost_s   with --play S: the first S seconds of wall time after the
//                 first frame less the media time played in them (what
//                 stalls cost a viewer who starts at once); the seek follows
//   ready_s       upload complete → status ready
// With --no-player only ready_s (and playable_s) are measured: the baseline
// pipeline has no playback before ready.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const ui = fileURLToPath(new URL('../ui/', import.meta.url))
const require = createRequire(ui + 'package.json')
const { chromium } = require('playwright-core')

const base = process.env.KINEMA_URL
const auth = { Authorization: `Bearer ${process.env.KINEMA_ADMIN_TOKEN}` }
const src = process.argv[2]
const player = !process.argv.includes('--no-player')
const playArg = process.argv.indexOf('--play')
const playS = playArg > 0 ? Number(process.argv[playArg + 1]) : 0
const secs = (a, b) => Math.round((b - a) / 10) / 100

async function api(path, init = {}) {
  const res = await fetch(base + path, { ...init, headers: { ...auth, ...(init.headers ?? {}) } })
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

let browser, page
if (player) {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required'],
  })
  page = await browser.newPage()
  await page.setContent('<video id="v" muted playsinline style="width:640px"></video>')
  await page.addScriptTag({ path: ui + 'node_modules/hls.js/dist/hls.min.js' })
}

const created = await api('/api/v1/videos', { method: 'POST', body: JSON.stringify({ title: 'ttp' }), headers: { 'Content-Type': 'application/json' } })
const body = readFileSync(src)
const t0 = Date.now()
const put = await fetch(created.upload.url, { method: created.upload.method ?? 'PUT', body })
if (!put.ok) throw new Error(`upload: ${put.status} ${await put.text()}`)
const tUp = Date.now()
const out = { upload_s: secs(t0, tUp) }

let v
for (;;) {
  v = await api(`/api/v1/videos/${created.id}`)
  if (v.playback?.hls || v.status === 'failed') break
  await new Promise((r) => setTimeout(r, 50))
}
if (v.status === 'failed') throw new Error(`failed: ${v.error}`)
out.playable_s = secs(tUp, Date.now())
out.status_when_playable = v.status

if (player) {
  // Wall-clock times from the page: both clocks are this machine's.
  const tPlayable = Date.now()
  const { first, events, requests } = await page.evaluate(async (url) => {
    const video = document.getElementById('v')
    const hls = new window.Hls()
    window.hls = hls
    // The first of each hls.js event (main = video fragments), for the timeline.
    const events = {}
    const note = (name, extra) => { if (!(name in events)) events[name] = { t: Date.now(), ...extra } }
    const E = window.Hls.Events
    hls.on(E.MANIFEST_LOADING, () => note('manifest_loading'))
    hls.on(E.MANIFEST_PARSED, (_, d) => note('manifest_parsed', { first_level: d.firstLevel, levels: d.levels.map((l) => l.height) }))
    hls.on(E.LEVEL_LOADED, (_, d) => note('level_loaded', { level: d.level }))
    hls.on(E.FRAG_LOADING, (_, d) => note(`frag_loading_${d.frag.type}`, { level: d.frag.level, sn: d.frag.sn }))
    hls.on(E.FRAG_LOADED, (_, d) => note(`frag_loaded_${d.frag.type}`, { level: d.frag.level, sn: d.frag.sn }))
    hls.on(E.FRAG_BUFFERED, (_, d) => note(`frag_buffered_${d.frag.type}`, { level: d.frag.level, sn: d.frag.sn }))
    hls.loadSource(url)
    hls.attachMedia(video)
    video.play().catch(() => video.addEventListener('canplay', () => video.play(), { once: true }))
    await new Promise((resolve) => video.requestVideoFrameCallback(() => resolve()))
    const first = Date.now()
    // Requests until then: start, first byte, end (epoch ms) and status.
    const origin = performance.timeOrigin
    const requests = performance.getEntriesByType('resource').map((e) => ({
      path: new URL(e.name).pathname.split('/').slice(-2).join('/'), status: e.responseStatus,
      start: origin + e.startTime, ttfb: origin + e.responseStart, end: origin + e.responseEnd,
    }))
    return { first, events, requests }
  }, v.playback.hls)
  out.first_frame_s = secs(tUp, first)
  out.t_upload_ms = tUp
  out.t_playable_ms = tPlayable
  out.t_first_frame_ms = first
  out.hls_events = events
  out.requests = requests
  if (playS > 0) {
    const play = await page.evaluate(async (ms) => {
      const video = document.getElementById('v')
      let stalls = 0
      video.addEventListener('waiting', () => stalls++)
      const t = performance.now()
      const from = video.currentTime
      await new Promise((r) => setTimeout(r, ms))
      return { wall: (performance.now() - t) / 1000, played: video.currentTime - from, stalls }
    }, playS * 1000)
    out.play_lost_s = Math.round((play.wall - play.played) * 100) / 100
    out.play_stalls = play.stalls
  }
  const duration = v.duration || (await page.evaluate(() => document.getElementById('v').duration))
  const seek = await page.evaluate(async (target) => {
    const video = document.getElementById('v')
    const hls = window.hls
    const E = window.Hls.Events
    const events = []
    const t = Date.now()
    const note = (name) => (_, d) => events.push({ s: (Date.now() - t) / 1000, name, type: d.frag?.type, level: d.frag?.level, sn: d.frag?.sn, code: d.response?.code, details: d.details })
    for (const e of [E.FRAG_LOADING, E.FRAG_LOADED, E.ERROR]) hls.on(e, note(e))
    video.currentTime = target
    await new Promise((resolve) => {
      const check = () => (video.currentTime > target + 0.1 && !video.seeking ? resolve() : setTimeout(check, 20))
      check()
    })
    return { ms: Date.now() - t, events }
  }, duration * 0.8)
  out.seek_s = Math.round(seek.ms / 10) / 100
  out.seek_events = seek.events
  await browser.close()
}

for (;;) {
  if (process.argv.includes('--no-ready')) break // diagnostics: first frame and seek only
  v = await api(`/api/v1/videos/${created.id}`)
  if (v.status === 'ready' || v.status === 'failed') break
  await new Promise((r) => setTimeout(r, 200))
}
if (v.status === 'failed') throw new Error(`failed: ${v.error}`)
out.ready_s = v.ready_at ? secs(tUp, Date.parse(v.ready_at)) : null
out.id = created.id
console.log(JSON.stringify(out))
