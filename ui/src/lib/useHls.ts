// useHls attaches an HLS source to a <video>: hls.js where Media Source
// Extensions exist (Chrome, Firefox, Android), the browser's own HLS where
// they do not (iOS Safari). hls.js is loaded on demand so the library and
// upload pages do not pay for it.
//
// With live set, hls.js stays close to the live edge (LIVE_HLS_CONFIG) and a
// manifest that is not there yet (a broadcast's first seconds) or a network
// error is retried every few seconds instead of ending playback. With
// lowLatency too (the source is Low-Latency HLS), hls.js runs in its
// low-latency mode (LIVE_LL_HLS_CONFIG).

import { useCallback, useEffect, useRef, useState, type RefObject } from 'react'
import type HlsType from 'hls.js'
import type { LevelInfo } from './quality'
import type { AudioTrackInfo } from './audioTracks'
import { AUTO } from './quality'
import { LIVE_HLS_CONFIG, LIVE_LL_HLS_CONFIG, relaxAfterStalls } from './live'
import { CAPTIONS_OFF, type SubtitleInfo } from './captions'

/** How long a live player waits before trying again after a fatal network error. */
const LIVE_RETRY_MS = 2000

export interface HlsState {
  levels: LevelInfo[]
  /** The user's choice: AUTO or a level index. */
  selected: number
  /** The level hls.js is playing now (meaningful under AUTO). */
  playing: number
  error: string
  native: boolean
  /** Live only: a fatal network error happened and a retry is scheduled. */
  retrying: boolean
  setLevel: (level: number) => void
  /** The audio renditions (languages, layouts) of the HLS audio group; empty when there is at most one. */
  audioTracks: AudioTrackInfo[]
  /** Index into audioTracks of the track playing. */
  audioTrack: number
  setAudioTrack: (index: number) => void
  /** Caption and subtitle tracks of the master playlist's SUBTITLES group. */
  subtitles: SubtitleInfo[]
  /** The selected track, or CAPTIONS_OFF. */
  subtitle: number
  setSubtitle: (track: number) => void
  /** The hls.js instance, when hls.js (not native HLS) plays. */
  instance: () => HlsType | undefined
}

/** KinemaPlayerDebug is exposed as window.__kinemaPlayer for browser tests and support. */
export interface KinemaPlayerDebug {
  hls?: HlsType
  video: HTMLVideoElement
  /** Level index of every media fragment loaded, in order. */
  fragLevels: number[]
  setLevel: (level: number) => void
  setAudioTrack: (index: number) => void
}

declare global {
  interface Window {
    __kinemaPlayer?: KinemaPlayerDebug
  }
}

export function useHls(
  videoRef: RefObject<HTMLVideoElement | null>,
  src: string,
  opts: { live?: boolean; lowLatency?: boolean } = {},
): HlsState {
  const live = opts.live ?? false
  const lowLatency = live && (opts.lowLatency ?? false)
  const [levels, setLevels] = useState<LevelInfo[]>([])
  const [selected, setSelected] = useState(AUTO)
  const [playing, setPlaying] = useState(-1)
  const [audioTracks, setAudioTracks] = useState<AudioTrackInfo[]>([])
  const [audioTrack, setAudioTrackState] = useState(-1)
  const [error, setError] = useState('')
  const [native, setNative] = useState(false)
  const [attempt, setAttempt] = useState(0)
  const [retrying, setRetrying] = useState(false)
  const [subtitles, setSubtitles] = useState<SubtitleInfo[]>([])
  const [subtitle, setSubtitleState] = useState(CAPTIONS_OFF)
  const hlsRef = useRef<HlsType | undefined>(undefined)

  useEffect(() => {
    const video = videoRef.current
    if (!video || !src) return
    let cancelled = false
    let hls: HlsType | undefined
    let retryTimer: ReturnType<typeof setTimeout> | undefined
    let stopRelax: (() => void) | undefined
    const debug: KinemaPlayerDebug = { video, fragLevels: [], setLevel: () => undefined, setAudioTrack: () => undefined }
    window.__kinemaPlayer = debug
    setError('')
    setLevels([])
    setSelected(AUTO)
    setAudioTracks([])
    setAudioTrackState(-1)
    setSubtitles([])
    setSubtitleState(CAPTIONS_OFF)

    import('hls.js')
      .then(({ default: Hls }) => {
        if (cancelled) return
        if (!Hls.isSupported()) {
          if (video.canPlayType('application/vnd.apple.mpegurl')) {
            setNative(true)
            video.src = src
          } else {
            setError('This browser cannot play HLS video.')
          }
          return
        }
        const liveConfig = lowLatency ? LIVE_LL_HLS_CONFIG : LIVE_HLS_CONFIG
        hls = new Hls(live ? { capLevelToPlayerSize: false, ...liveConfig } : { capLevelToPlayerSize: false })
        hlsRef.current = hls
        debug.hls = hls
        // The player draws captions itself, above its controls, from the
        // track hls.js keeps "hidden" (useCaptionLines).
        hls.subtitleDisplay = false
        hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_e, data) =>
          setSubtitles(data.subtitleTracks.map((t) => ({ name: t.name, lang: t.lang }))),
        )
        hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, (_e, data) => setSubtitleState(data.id))
        let mediaRecoveries = 0
        hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
          setRetrying(false)
          setLevels(data.levels.map((l) => ({ height: l.height, width: l.width, bitrate: l.bitrate })))
        })
        hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => setPlaying(data.level))
        hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, (_e, data) => {
          setAudioTracks(data.audioTracks.map((t) => ({ name: t.name, lang: t.lang, default: t.default })))
          setAudioTrackState(hls?.audioTrack ?? -1)
        })
        hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_e, data) => setAudioTrackState(data.id))
        hls.on(Hls.Events.FRAG_LOADED, (_e, data) => {
          if (data.frag.type === 'main') debug.fragLevels.push(data.frag.level)
        })
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (!data.fatal) return
          if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
            mediaRecoveries++
            hls?.recoverMediaError()
            return
          }
          const code = data.response?.code
          if (live && data.type === Hls.ErrorTypes.NETWORK_ERROR && code !== 401 && code !== 403) {
            hls?.destroy()
            hlsRef.current = undefined
            setRetrying(true)
            retryTimer = setTimeout(() => setAttempt((n) => n + 1), LIVE_RETRY_MS)
            return
          }
          if (code === 401 || code === 403) setError('This playback link has expired. Reload the page to get a fresh one.')
          else if (data.type === Hls.ErrorTypes.NETWORK_ERROR) setError('The video could not be loaded. Check your connection and reload.')
          else setError('This video cannot be played in this browser.')
          hls?.destroy()
        })
        if (lowLatency) stopRelax = relaxAfterStalls(hls, video, LIVE_LL_HLS_CONFIG.liveSyncDuration)
        hls.loadSource(src)
        hls.attachMedia(video)
      })
      .catch(() => {
        if (!cancelled) setError('The player failed to load. Reload the page.')
      })

    return () => {
      cancelled = true
      clearTimeout(retryTimer)
      stopRelax?.()
      hls?.destroy()
      hlsRef.current = undefined
      if (window.__kinemaPlayer === debug) delete window.__kinemaPlayer
    }
  }, [videoRef, src, live, lowLatency, attempt])

  const setLevel = useCallback((level: number) => {
    const hls = hlsRef.current
    if (!hls) return
    // currentLevel switches now (flushing the buffer) so the choice is visible
    // at once; -1 hands control back to ABR.
    hls.currentLevel = level
    setSelected(level)
  }, [])

  const setAudioTrack = useCallback((index: number) => {
    const hls = hlsRef.current
    if (!hls) return
    hls.audioTrack = index
    setAudioTrackState(index)
  }, [])

  useEffect(() => {
    if (window.__kinemaPlayer) {
      window.__kinemaPlayer.setLevel = setLevel
      window.__kinemaPlayer.setAudioTrack = setAudioTrack
    }
  }, [setLevel, setAudioTrack, levels])

  const setSubtitle = useCallback((track: number) => {
    const hls = hlsRef.current
    if (!hls) return
    hls.subtitleDisplay = false
    hls.subtitleTrack = track
    setSubtitleState(track)
  }, [])

  const instance = useCallback(() => hlsRef.current, [])

  return { levels, selected, playing, error, native, retrying, setLevel, audioTracks, audioTrack, setAudioTrack, subtitles, subtitle, setSubtitle, instance }
}
