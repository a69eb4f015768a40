// LivePlayer: a live HLS stream kept close to the live edge. It starts
// muted (browsers allow muted autoplay), shows a LIVE badge and how far
// behind the live edge playback is, and jumps back to the edge on request.
// Seeking and the quality menu are left to the VOD player: a 2 s-segment
// live window has little to seek in.

import { useCallback, useEffect, useRef, useState } from 'react'
import { formatLatency, latencyFrom } from '../lib/live'
import { useHls } from '../lib/useHls'
import { Icon } from './Icon'

/** Behind the edge by more than this, "Go live" is offered. */
const BEHIND_S = 8

export function LivePlayer({ src, title, lowLatency }: { src: string; title?: string; lowLatency?: boolean }) {
  const box = useRef<HTMLDivElement>(null)
  const videoRef = useRef<HTMLVideoElement>(null)
  const hls = useHls(videoRef, src, { live: true, lowLatency })
  const { instance } = hls
  const [playing, setPlaying] = useState(false)
  const [muted, setMuted] = useState(true)
  const [latency, setLatency] = useState<number>()
  const [waiting, setWaiting] = useState(true)

  // hls.js updates its latency estimate without an event; sample it.
  useEffect(() => {
    const id = setInterval(() => {
      const v = videoRef.current
      if (!v) return
      const h = instance()
      let hlsLatency: number | undefined
      try {
        hlsLatency = h?.latency
      } catch {
        hlsLatency = undefined
      }
      const seekableEnd = v.seekable.length ? v.seekable.end(v.seekable.length - 1) : undefined
      setLatency(v.currentTime > 0 ? latencyFrom({ hlsLatency, seekableEnd, currentTime: v.currentTime }) : undefined)
    }, 500)
    return () => clearInterval(id)
  }, [instance])

  const toggle = useCallback(() => {
    const v = videoRef.current
    if (!v) return
    if (v.paused) v.play().catch(() => undefined)
    else v.pause()
  }, [])

  const goLive = useCallback(() => {
    const v = videoRef.current
    if (!v) return
    const edge = instance()?.liveSyncPosition ?? (v.seekable.length ? v.seekable.end(v.seekable.length - 1) - 2 : null)
    if (edge != null && Number.isFinite(edge)) v.currentTime = edge
    if (v.paused) v.play().catch(() => undefined)
  }, [instance])

  const toggleFullscreen = useCallback(() => {
    const el = box.current
    if (!el) return
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined)
    else if (el.requestFullscreen) void el.requestFullscreen().catch(() => undefined)
  }, [])

  const behind = latency != null && latency > BEHIND_S
  return (
    <div className="player player-live" ref={box} data-testid="live-player">
      <div className="player-stage" onClick={toggle} onDoubleClick={toggleFullscreen}>
        <video
          ref={videoRef}
          playsInline
          autoPlay
          muted={muted}
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
          onEnded={() => setPlaying(false)}
          onWaiting={() => setWaiting(true)}
          onPlaying={() => setWaiting(false)}
          onVolumeChange={(e) => setMuted(e.currentTarget.muted)}
          aria-label={title}
        />
        <div className="live-overlay">
          <span className="badge badge-live-live" data-testid="player-live-badge">
            <span className="live-dot" aria-hidden="true" />
            LIVE
          </span>
        </div>
        {(waiting || hls.retrying) && !hls.error && (
          <div className="live-waiting" aria-live="polite">
            {hls.retrying ? 'Waiting for the broadcast…' : <div className="spinner" aria-label="Loading" />}
          </div>
        )}
        {hls.error && (
          <div className="player-error" role="alert">
            {hls.error}
          </div>
        )}
      </div>
      <div className="controls">
        <div className="controls-row">
          <button type="button" className="ctl" aria-label={playing ? 'Pause' : 'Play'} title={playing ? 'Pause' : 'Play'} onClick={toggle} data-testid="play-button">
            <Icon name={playing ? 'pause' : 'play'} />
          </button>
          <button
            type="button"
            className="ctl"
            aria-label={muted ? 'Unmute' : 'Mute'}
            title={muted ? 'Unmute' : 'Mute'}
            onClick={() => {
              const v = videoRef.current
              if (v) v.muted = !v.muted
            }}
          >
            <Icon name={muted ? 'muted' : 'volume'} />
          </button>
          <span className="time" data-testid="latency" data-latency={latency != null ? latency.toFixed(2) : ''}>
            {formatLatency(latency)}
          </span>
          <span className="spacer" />
          {behind && (
            <button type="button" className="ctl ctl-text" onClick={goLive}>
              Go live
            </button>
          )}
          <button type="button" className="ctl" aria-label="Full screen" title="Full screen" onClick={toggleFullscreen}>
            <Icon name="fullscreen" />
          </button>
        </div>
      </div>
    </div>
  )
}
