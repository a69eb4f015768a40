// Plays one live stream in Debian's chromium with each player in turn and
// samples how far behind the publisher's clock the frame on screen is.
// Driven by bench/latency.sh; prints one JSON object per player.
//
// The clock: kinema stamps EXT-X-PROGRAM-DATE-TIME (HLS) and the MPD's
// availabilityStartTime (DASH) with the wall-clock time each frame's input
// reached the ingest (internal/live/README.md). Latency = Date.now() − that
// time for the frame being shown: hls.js playingDate for HLS. For dash.js,
// EPOCH_MS + currentTime, where EPOCH_MS is the PROGRAM-DATE-TIME of the
// first segment, which starts at media time 0 (the MPD's timeline starts at
// 0, period start 0, no presentationTimeOffset; its availabilityStartTime is
// ffmpeg's own start, later by the probe delay, so it is not used).
//
// Usage: node bench/latency.mjs SERVER TOKEN STREAM_ID SAMPLE_SECONDS DASHJS_PATH EPOCH_MS

import { createRequire } from 'node:module'
import path from 'node:path'

const [server, token, id, sampleArg, dashjs, epochArg] = process.argv.slice(2)
const epochMs = Number(epochArg)
const sampleS = Number(sampleArg)
const ui = path.resolve('ui')
const require = createRequire(path.join(ui, 'package.json'))
const { chromium } = require('playwright-core')
const HLSJS = path.join(ui, 'node_modules/hls.js/dist/hls.min.js')

/** The players: kinema's UI settings for LL-HLS and HLS, hls.js and dash.js defaults. */
const PLAYERS = [
  { name: 'LL-HLS, hls.js lowLatencyMode (kinema UI)', lib: HLSJS, url: 'll_hls', hls: { lowLatencyMode: true, liveSyncDuration: 1, liveMaxLatencyDuration: 4, maxLiveSyncPlaybackRate: 1.5 }, relax: 1 },
  // Compared side by side with the UI's LL-HLS settings when LATENCY_VARIANTS is set.
  ...(process.env.LATENCY_VARIANTS
    ? [
        { name: 'LL-HLS variant: stall increases kept (UI before)', lib: HLSJS, url: 'll_hls', hls: { lowLatencyMode: true, liveSyncDuration: 1, liveMaxLatencyDuration: 4, maxLiveSyncPlaybackRate: 1.5 } },
        { name: 'LL-HLS variant: 0.7 s target', lib: HLSJS, url: 'll_hls', hls: { lowLatencyMode: true, liveSyncDuration: 0.7, liveMaxLatencyDuration: 4, maxLiveSyncPlaybackRate: 1.5 }, relax: 0.7 },
      ]
    : []),
  { name: 'HLS, hls.js liveSyncDurationCount 1 (kinema UI)', lib: HLSJS, url: 'hls', hls: { lowLatencyMode: false, liveSyncDurationCount: 1, liveMaxLatencyDurationCount: 3 } },
  { name: 'HLS, hls.js defaults', lib: HLSJS, url: 'hls', hls: { lowLatencyMode: false } },
  { name: 'DASH, dash.js defaults', lib: dashjs, url: 'dash' },
]

async function playback() {
  const res = await fetch(`${server}/api/v1/live/${id}`, { headers: { Authorization: `Bearer ${token}` } })
  if (!res.ok) throw new Error(`GET stream: ${res.status}`)
  const st = await res.json()
  if (!st.playback) throw new Error(`stream has no playback URLs: ${JSON.stringify(st)}`)
  return st.playback
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required', '--disable-background-networking'],
})
try {
  const only = process.env.LATENCY_ONLY // e.g. DASH: only players whose name contains it
  for (const p of PLAYERS.filter((p) => !only || p.name.includes(only))) {
    const pb = await playback()
    const src = pb[p.url]
    if (!src) throw new Error(`no ${p.url} URL`)
    const page = await browser.newPage()
    const log = []
    page.on('pageerror', (e) => log.push(`pageerror ${e.message}`))
    page.on('console', (m) => log.push(`${m.type()} ${m.text()}`))
    await page.goto(`${server}/healthz`)
    await page.setContent('<video id="v" muted autoplay playsinline style="width:640px"></video>')
    await page.addScriptTag({ path: p.lib })
    if (process.env.DASH_LOG_LEVEL) await page.evaluate((l) => (window.DASH_LOG_LEVEL = l), Number(process.env.DASH_LOG_LEVEL))
    await page.evaluate(
      async ({ src, hlsConfig, epochMs, relax }) => {
        const v = document.getElementById('v')
        const w = window
        w.stalls = 0
        v.addEventListener('waiting', () => w.stalls++)
        if (hlsConfig) {
          const h = new w.Hls(hlsConfig)
          h.loadSource(src)
          h.attachMedia(v)
          w.wallClock = () => (h.playingDate ? h.playingDate.getTime() : NaN)
          // hls.js's own distance from the live edge it knows (the newest part or
          // segment listed): the rest of the latency is the server's (ingest to listed).
          w.playerLatency = () => h.latency
          if (relax) {
            // What the UI does (ui/src/lib/live.ts relaxAfterStalls): hls.js adds 1 s to its
            // target after each stall, for good; 6 s without one sets it back.
            let last = performance.now()
            v.addEventListener('waiting', () => (last = performance.now()))
            setInterval(() => {
              if (performance.now() - last > 6000 && h.targetLatency != null && h.targetLatency > relax + 0.05) h.targetLatency = relax
            }, 1000)
          }
        } else {
          const player = w.dashjs.MediaPlayer().create()
          // Local clock (same machine): no time server, no Date header (1 s resolution).
          player.updateSettings({
            debug: { logLevel: w.DASH_LOG_LEVEL || 1 },
            streaming: { utcSynchronization: { enabled: false, useManifestDateHeaderTimeSource: false } },
          })
          player.initialize(v, src, true)
          w.wallClock = () => epochMs + v.currentTime * 1000
        }
        if (hlsConfig) v.play().catch(() => undefined) // dash.js autoplays (initialize's third argument)
      },
      { src, hlsConfig: p.hls, epochMs, relax: p.relax || 0 },
    )
    try {
      await page.waitForFunction(() => {
        const v = document.getElementById('v')
        return !v.paused && v.readyState >= 3 && v.currentTime > 0
      }, undefined, { timeout: 60_000 })
    } catch {
      const st = await page.evaluate(() => {
        const v = document.getElementById('v')
        return `currentTime ${v.currentTime}, readyState ${v.readyState}, buffered ranges ${v.buffered.length}`
      })
      console.error(`${p.name}: did not play within 60 s (${st}); page log tail:\n${log.slice(-10).join('\n')}`)
      console.log(JSON.stringify({ player: p.name, error: 'did not start playing within 60 s' }))
      await page.close()
      continue
    }
    // Let the player settle at its target (catch-up, first stalls).
    await page.waitForTimeout(6000)
    const r = await page.evaluate(async (sampleS) => {
      const w = window
      const stalls0 = w.stalls
      const v = document.getElementById('v')
      const t0 = v.currentTime
      const out = []
      const player = []
      for (let i = 0; i < sampleS * 4; i++) {
        await new Promise((r) => setTimeout(r, 250))
        const t = w.wallClock()
        if (Number.isFinite(t)) out.push((Date.now() - t) / 1000)
        const pl = w.playerLatency ? w.playerLatency() : NaN
        if (Number.isFinite(t) && Number.isFinite(pl) && pl > 0) player.push(pl)
      }
      return { samples: out, player, stalls: w.stalls - stalls0, played: (v.currentTime - t0) / sampleS }
    }, sampleS)
    await page.close()
    const s = [...r.samples].sort((a, b) => a - b)
    const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))]
    // The transcoder's lag behind the input (stream health, ingest node), when the samples ended.
    const health = await fetch(`${server}/api/v1/live/${id}`, { headers: { Authorization: `Bearer ${token}` } })
      .then((res) => res.json())
      .then((st) => st.health)
      .catch(() => undefined)
    const pl = [...r.player].sort((a, b) => a - b)
    const behindEdge = pl.length ? pl[Math.floor(pl.length / 2)] : null
    console.log(JSON.stringify({ player: p.name, n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1], stalls: r.stalls, played: r.played, behindEdge, transcoderLag: health?.lag }))
  }
} finally {
  await browser.close()
}
