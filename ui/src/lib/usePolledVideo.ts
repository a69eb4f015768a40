// usePolledVideo loads one video and, while it is still moving (upload,
// queue, transcode), reloads it every interval so progress bars stay live.

import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, isTerminal, type Video } from './api'
import { useSession } from './session'

export interface PolledVideo {
  video?: Video
  error?: ApiError
  /** reload fetches now and restarts polling, e.g. after Retry. */
  reload: (next?: Video) => void
  /** update shows next without fetching, e.g. the answer to an edit. */
  update: (next: Video) => void
}

export function usePolledVideo(id: string, intervalMs = 1000, initial?: Video): PolledVideo {
  const { client } = useSession()
  const [video, setVideo] = useState<Video | undefined>(initial)
  const [error, setError] = useState<ApiError>()
  const [epoch, setEpoch] = useState(0)
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)

  useEffect(() => {
    const ctrl = new AbortController()
    let stopped = false
    const tick = async () => {
      try {
        const v = await client.getVideo(id, ctrl.signal)
        if (stopped) return
        setVideo(v)
        setError(undefined)
        if (isTerminal(v.status)) return
      } catch (err) {
        if (stopped) return
        if (err instanceof ApiError) {
          setError(err)
          if (err.status === 404 || err.status === 401) return
        }
        // Network blips: keep polling, the next tick may succeed.
      }
      timer.current = setTimeout(tick, intervalMs)
    }
    void tick()
    return () => {
      stopped = true
      ctrl.abort()
      clearTimeout(timer.current)
    }
  }, [client, id, intervalMs, epoch])

  const reload = useCallback((next?: Video) => {
    if (next) setVideo(next)
    setEpoch((n) => n + 1)
  }, [])

  return { video, error, reload, update: setVideo }
}
