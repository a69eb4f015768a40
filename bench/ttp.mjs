// Time to play, measured by bench/ttp.sh: uploads SRC to a kinema server
// (KINEMA_URL, admin token KINEMA_ADMIN_TOKEN) and prints one JSON line:
//   upload_s      the upload itself (not part of the times below)
//   playable_s    upload complete → the API hands out playback URLs
//   first_frame_s upload complete → hls.js in Chromium renders the first frame
//   seek_s        seek to 80% of the duration right after that first frame →
//                 playback moving again there
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
  const first = await page.evaluate(async (url) => {
    const video = document.getElementById('v')
    const hls = new window.Hls()
    hls.loadSource(url)
    hls.attachMedia(video)
    video.play().catch(() => video.addEventListener('canplay', () => video.play(), { once: true }))
    await new Promise((resolve) => video.requestVideoFrameCallback(() => resolve()))
    return Date.now()
  }, v.playback.hls)
  out.first_frame_s = secs(tUp, first)
  const duration = v.duration || (await page.evaluate(() => document.getElementById('v').duration))
  const seek = await page.evaluate(async (target) => {
    const video = document.getElementById('v')
    const t = Date.now()
    video.currentTime = target
    await new Promise((resolve) => {
      const check = () => (video.currentTime > target + 0.1 && !video.seeking ? resolve() : setTimeout(check, 20))
      check()
    })
    return Date.now() - t
  }, duration * 0.8)
  out.seek_s = Math.round(seek / 10) / 100
  await browser.close()
}

for (;;) {
  v = await api(`/api/v1/videos/${created.id}`)
  if (v.status === 'ready' || v.status === 'failed') break
  await new Promise((r) => setTimeout(r, 200))
}
if (v.status === 'failed') throw new Error(`failed: ${v.error}`)
out.ready_s = secs(tUp, Date.parse(v.ready_at) || Date.now())
out.id = created.id
console.log(JSON.stringify(out))
