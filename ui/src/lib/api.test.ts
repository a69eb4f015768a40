import { describe, expect, it, vi } from 'vitest'
import { ApiClient, ApiError, isTerminal, type FetchFunc } from './api'

function jsonResponse(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function client(fetchImpl: FetchFunc, onUnauthorized?: () => void) {
  return new ApiClient({ token: 'secret', fetch: fetchImpl, onUnauthorized })
}

describe('ApiClient', () => {
  it('lists videos with auth header and filters', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(200, { videos: [{ id: 'a', title: 'A', status: 'ready' }] }))
    const list = await client(f).listVideos({ status: 'ready', q: ' cat ' })
    expect(list).toHaveLength(1)
    const [url, init] = f.mock.calls[0]
    expect(url).toBe('/api/v1/videos?status=ready&q=cat')
    expect((init!.headers as Record<string, string>).Authorization).toBe('Bearer secret')
    expect(init!.method).toBe('GET')
  })

  it('omits empty filters and tolerates a null list', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(200, { videos: null }))
    expect(await client(f).listVideos({ status: '', q: '' })).toEqual([])
    expect(f.mock.calls[0][0]).toBe('/api/v1/videos')
  })

  it('creates a video with a JSON body', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(
      jsonResponse(201, { id: 'v1', title: 'clip.mp4', status: 'waiting_upload', upload: { tus_url: 'http://h/api/v1/tus/?video=v1&token=t' } }),
    )
    const v = await client(f).createVideo('clip.mp4')
    expect(v.upload?.tus_url).toContain('token=t')
    const init = f.mock.calls[0][1]!
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body as string)).toEqual({ title: 'clip.mp4' })
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
  })

  it('escapes ids and handles 204 on delete', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(new Response(null, { status: 204 }))
    await expect(client(f).deleteVideo('a/b')).resolves.toBeUndefined()
    expect(f.mock.calls[0][0]).toBe('/api/v1/videos/a%2Fb')
    expect(f.mock.calls[0][1]!.method).toBe('DELETE')
  })

  it('posts retry', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(202, { id: 'x', title: 't', status: 'queued' }))
    expect((await client(f).retryVideo('x')).status).toBe('queued')
    expect(f.mock.calls[0][0]).toBe('/api/v1/videos/x/retry')
  })

  it('turns error bodies into ApiError and reports 401', async () => {
    const onUnauthorized = vi.fn()
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(401, { error: { code: 'unauthorized', message: 'bad key' } }))
    const err = await client(f, onUnauthorized).getVideo('x').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', message: 'bad key' })
    expect(onUnauthorized).toHaveBeenCalledOnce()
  })

  it('copes with non-JSON errors', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(new Response('gateway down', { status: 502 }))
    await expect(client(f).getVideo('x')).rejects.toMatchObject({ status: 502, code: 'http_502' })
  })

  it('maps network failures to a friendly error', async () => {
    const f = vi.fn<FetchFunc>().mockRejectedValue(new TypeError('Failed to fetch'))
    await expect(client(f).listVideos()).rejects.toMatchObject({ status: 0, code: 'network' })
  })

  it('lists, gets and creates live streams', async () => {
    const st = { id: 's/1', title: 'Show', status: 'idle', stream_key: 'k', connected: false, video_id: '' }
    const f = vi
      .fn<FetchFunc>()
      .mockResolvedValueOnce(jsonResponse(200, { streams: [st] }))
      .mockResolvedValueOnce(jsonResponse(200, { streams: null }))
      .mockResolvedValueOnce(jsonResponse(200, st))
      .mockResolvedValueOnce(jsonResponse(201, st))
    const c = client(f)
    expect(await c.listLive()).toEqual([st])
    expect(await c.listLive()).toEqual([])
    expect(f.mock.calls[0][0]).toBe('/api/v1/live')
    expect((await c.getLive('s/1')).title).toBe('Show')
    expect(f.mock.calls[2][0]).toBe('/api/v1/live/s%2F1')
    await c.createLive('Show')
    expect(f.mock.calls[3][0]).toBe('/api/v1/live')
    expect(f.mock.calls[3][1]!.method).toBe('POST')
    expect(JSON.parse(f.mock.calls[3][1]!.body as string)).toEqual({ title: 'Show' })
  })

  it('knows terminal states', () => {
    expect(isTerminal('ready')).toBe(true)
    expect(isTerminal('failed')).toBe(true)
    expect(isTerminal('processing')).toBe(false)
    expect(isTerminal('waiting_upload')).toBe(false)
  })
})
