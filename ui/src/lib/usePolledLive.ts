// usePolledLive loads one live stream and reloads it every POLL_MS while it
// can still change: idle → live → ended, then until the recording's video
// id arrives.

import { useEffect, useState } from 'react'
import { ApiError, type LiveStream } from './api'
import { keepPolling, POLL_MS } from './live'
import { useSession } from './session'

export function usePolledLive(
  id: string,
  intervalMs = POLL_MS,
  initial?: LiveStream,
): { stream?: LiveStream; error?: ApiError; setStream: (st: LiveStream) => void } {
  const { client } = useSession()
  const [stream, setStream] = useState<LiveStream | undefined>(initial)
  const [error, setError] = useState<ApiError>()

  useEffect(() => {
    const ctrl = new AbortController()
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async () => {
      try {
        const st = await client.getLive(id, ctrl.signal)
        if (stopped) return
        setStream(st)
        setError(undefined)
        if (!keepPolling(st)) return
      } catch (err) {
        if (stopped) return
        if (err instanceof ApiError) {
          setError(err)
          if (err.status === 404 || err.status === 401) return
        }
        // Network blips: keep polling, the next tick may succeed.
      }
      timer = setTimeout(tick, intervalMs)
    }
    void tick()
    return () => {
      stopped = true
      ctrl.abort()
      clearTimeout(timer)
    }
  }, [client, id, intervalMs])

  return { stream, error, setStream }
}
