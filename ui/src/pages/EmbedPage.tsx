// EmbedPage is what an embed's <iframe> loads: just the player, full-bleed,
// no header. /embed/{id} fetches the video as an anonymous visitor each
// time it loads, so its signed URLs are always fresh; only public and
// unlisted videos play there. The server's CSP frame-ancestors decides
// which sites may frame it (the video's allowed sites). The old form,
// /embed?src=<signed URL>, plays until that URL's token expires.

import { useEffect, useMemo, useState } from 'react'
import { ApiClient, type Video } from '../lib/api'
import { parseEmbed, parseEmbedOptions } from '../lib/embed'
import { useLocation } from '../lib/router'
import { Player } from '../components/Player'

export function EmbedPage({ id }: { id?: string }) {
  const { query } = useLocation()
  if (id) return <EmbedVideo id={id} query={query} />
  const p = parseEmbed(query)
  if (!p.src) return <div className="embed-error">Missing video source.</div>
  return (
    <div className="embed">
      <Player src={p.src} poster={p.poster} storyboard={p.storyboard} audio={p.audio} title={p.title} />
    </div>
  )
}

/** refreshIn is when to fetch new URLs: a minute (or a fifth of their life, if shorter) before they expire. */
function refreshIn(expires: number, now: number): number {
  const left = expires - now
  return Math.max(left - Math.min(60_000, left / 5), 5_000)
}

function EmbedVideo({ id, query }: { id: string; query: URLSearchParams }) {
  const opts = parseEmbedOptions(query)
  // Anonymous on purpose: what an embed shows must not depend on who
  // happens to be signed in to this server in the same browser.
  const client = useMemo(() => new ApiClient({ fetch: (input, init) => fetch(input, { ...init, credentials: 'omit' }) }), [])
  const [video, setVideo] = useState<Video>()
  const [error, setError] = useState('')

  useEffect(() => {
    const ctrl = new AbortController()
    client.getVideo(id, ctrl.signal).then(
      (v) => {
        setVideo(v)
        document.title = v.title ? `${v.title} · kinema` : 'kinema'
      },
      (e: unknown) => {
        if (ctrl.signal.aborted) return
        const status = (e as { status?: number }).status
        setError(status === 404 ? 'This video is not available.' : 'The video cannot be loaded right now.')
      },
    )
    return () => ctrl.abort()
  }, [client, id])

  // Keep a long-open embed's URLs fresh: shortly before they expire, fetch
  // new ones and carry on from the same position (paused or playing).
  const [resume, setResume] = useState<{ at: number; playing: boolean }>()
  const expires = video?.playback?.expires_at ? new Date(video.playback.expires_at).getTime() : 0
  useEffect(() => {
    if (!expires) return
    const ms = refreshIn(expires, Date.now())
    const t = window.setTimeout(() => {
      client.getVideo(id).then(
        (v) => {
          const el = document.querySelector<HTMLVideoElement>('.embed video')
          if (el && el.currentTime > 0) setResume({ at: el.currentTime, playing: !el.paused })
          setVideo(v)
        },
        () => undefined,
      )
    }, ms)
    return () => window.clearTimeout(t)
  }, [client, id, expires])

  if (error) return <div className="embed-error" role="alert">{error}</div>
  if (!video) return <div className="embed" aria-busy="true" />
  if (video.status !== 'ready' || !video.playback?.hls) {
    return <div className="embed-error">This video is still being processed.</div>
  }
  return (
    <div className="embed" data-testid="embed">
      <Player
        key={video.playback.hls}
        videoId={video.id}
        src={video.playback.hls}
        poster={video.playback.poster || undefined}
        storyboard={video.playback.storyboard || undefined}
        audio={video.kind === 'audio'}
        title={video.title}
        duration={video.duration}
        startTime={resume ? resume.at : opts.start}
        autoPlay={resume ? resume.playing : opts.autoplay}
        startMuted={opts.muted}
        loop={opts.loop}
      />
    </div>
  )
}
