import { describe, expect, it, vi } from 'vitest'
import { ApiClient, ApiError, isTerminal, type FetchFunc } from './api'

function jsonResponse(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

function client(fetchImpl: FetchFunc, onUnauthorized?: () => void) {
  return new ApiClient({ fetch: fetchImpl, onUnauthorized })
}

const headersOf = (f: ReturnType<typeof vi.fn<FetchFunc>>, call: number) => f.mock.calls[call][1]!.headers as Record<string, string>

const view = (csrf: string) => ({
  user: { id: 'usr_1', email: 'a@example.com', name: 'A', role: 'admin', groups: [], disabled: false, created_at: '2026-01-01T00:00:00Z' },
  scopes: ['read', 'upload', 'admin'],
  csrf_token: csrf,
})

describe('ApiClient', () => {
  it('lists videos with filters, on the session cookie', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(200, { videos: [{ id: 'a', title: 'A', status: 'ready' }] }))
    const list = await client(f).listVideos({ status: 'ready', q: ' cat ', mine: true })
    expect(list).toHaveLength(1)
    const [url, init] = f.mock.calls[0]
    expect(url).toBe('/api/v1/videos?status=ready&q=cat&mine=1')
    expect(init!.credentials).toBe('same-origin')
    expect(headersOf(f, 0).Authorization).toBeUndefined()
    expect(init!.method).toBe('GET')
  })

  it('sends an API key as a bearer token when given one, and no CSRF token', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(201, { id: 'v' }))
    const c = new ApiClient({ token: 'kin_secret', fetch: f })
    await c.createVideo('x')
    expect(headersOf(f, 0).Authorization).toBe('Bearer kin_secret')
    expect(headersOf(f, 0)['X-CSRF-Token']).toBeUndefined()
  })

  it('omits empty filters and tolerates a null list', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(jsonResponse(200, { videos: null }))
    expect(await client(f).listVideos({ status: '', q: '' })).toEqual([])
    expect(f.mock.calls[0][0]).toBe('/api/v1/videos')
  })

  it('creates a video with a JSON body', async () => {
    const f = vi
      .fn<FetchFunc>()
      .mockImplementation(async () =>
        jsonResponse(201, { id: 'v1', title: 'clip.mp4', status: 'waiting_upload', upload: { tus_url: 'http://h/api/v1/tus/?video=v1&token=t' } }),
      )
    const v = await client(f).createVideo('clip.mp4')
    expect(v.upload?.tus_url).toContain('token=t')
    const init = f.mock.calls[0][1]!
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body as string)).toEqual({ title: 'clip.mp4' })
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    await client(f).createVideo('clip.mp4', 'public')
    expect(JSON.parse(f.mock.calls[1][1]!.body as string)).toEqual({ title: 'clip.mp4', visibility: 'public' })
  })

  it('sends the session CSRF token on writes and never on reads', async () => {
    const f = vi
      .fn<FetchFunc>()
      .mockResolvedValueOnce(jsonResponse(200, view('tok1'))) // session
      .mockResolvedValueOnce(jsonResponse(200, { videos: [] })) // GET
      .mockResolvedValueOnce(jsonResponse(201, { id: 'v' })) // POST
      .mockResolvedValueOnce(jsonResponse(200, { id: 'v' })) // PATCH
      .mockResolvedValueOnce(new Response(null, { status: 204 })) // DELETE
      .mockResolvedValueOnce(jsonResponse(200, { signup: 'open', default_role: 'viewer' })) // PUT
    const c = client(f)
    expect(c.csrfToken).toBe('')
    await c.session()
    expect(c.csrfToken).toBe('tok1')
    expect(headersOf(f, 0)['X-CSRF-Token']).toBeUndefined()
    await c.listVideos()
    expect(headersOf(f, 1)['X-CSRF-Token']).toBeUndefined()
    await c.createVideo('x')
    await c.updateVideo('v', { visibility: 'public' })
    await c.deleteVideo('v')
    await c.putSettings({ signup: 'open' })
    for (const i of [2, 3, 4, 5]) expect(headersOf(f, i)['X-CSRF-Token']).toBe('tok1')
    expect(f.mock.calls.map((c) => c[1]!.method)).toEqual(['GET', 'GET', 'POST', 'PATCH', 'DELETE', 'PUT'])
  })

  it('keeps the token from login and sign-up, and forgets it on logout', async () => {
    const f = vi
      .fn<FetchFunc>()
      .mockResolvedValueOnce(jsonResponse(200, view('fromLogin')))
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
      .mockResolvedValueOnce(jsonResponse(201, view('fromSignup')))
    const c = client(f)
    await c.login('a@example.com', 'pw-pw-pw-pw')
    expect(f.mock.calls[0][0]).toBe('/api/v1/auth/login')
    expect(JSON.parse(f.mock.calls[0][1]!.body as string)).toEqual({ email: 'a@example.com', password: 'pw-pw-pw-pw' })
    expect(c.csrfToken).toBe('fromLogin')
    await c.logout()
    expect(f.mock.calls[1][0]).toBe('/api/v1/auth/logout')
    expect(headersOf(f, 1)['X-CSRF-Token']).toBe('fromLogin')
    expect(c.csrfToken).toBe('')
    await c.signup({ email: 'b@example.com', name: 'B', password: 'x'.repeat(10), invite: 'INV' })
    expect(JSON.parse(f.mock.calls[2][1]!.body as string)).toEqual({ email: 'b@example.com', name: 'B', password: 'x'.repeat(10), invite: 'INV' })
    expect(c.csrfToken).toBe('fromSignup')
  })

  it('renews a stale CSRF token once and retries the write', async () => {
    const f = vi
      .fn<FetchFunc>()
      .mockResolvedValueOnce(jsonResponse(200, view('old')))
      .mockResolvedValueOnce(jsonResponse(403, { error: { code: 'csrf', message: 'needs token' } }))
      .mockResolvedValueOnce(jsonResponse(200, view('new')))
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
    const c = client(f)
    await c.session()
    await c.deleteVideo('v')
    expect(headersOf(f, 1)['X-CSRF-Token']).toBe('old')
    expect(f.mock.calls[2][0]).toBe('/api/v1/auth/session')
    expect(headersOf(f, 3)['X-CSRF-Token']).toBe('new')
  })

  it('does not loop on CSRF refusals', async () => {
    const csrf = () => jsonResponse(403, { error: { code: 'csrf', message: 'needs token' } })
    const f = vi
      .fn<FetchFunc>()
      .mockResolvedValueOnce(csrf())
      .mockResolvedValueOnce(jsonResponse(200, view('t')))
      .mockResolvedValueOnce(csrf())
    await expect(client(f).deleteVideo('v')).rejects.toMatchObject({ status: 403, code: 'csrf' })
    expect(f).toHaveBeenCalledTimes(3)
  })

  it('treats 401 from sign-in and the session probe as answers, not a lost session', async () => {
    const onUnauthorized = vi.fn()
    const f = vi
      .fn<FetchFunc>()
      .mockResolvedValueOnce(jsonResponse(401, { error: { code: 'wrong_credentials', message: 'Wrong email or password.' } }))
      .mockResolvedValueOnce(jsonResponse(401, { error: { code: 'unauthorized', message: 'Sign in' } }))
    const c = client(f, onUnauthorized)
    await expect(c.login('a@example.com', 'nope')).rejects.toMatchObject({ status: 401, code: 'wrong_credentials', message: 'Wrong email or password.' })
    await expect(c.session()).rejects.toMatchObject({ status: 401 })
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('reads Retry-After from a rate-limited sign-in', async () => {
    const f = vi.fn<FetchFunc>().mockResolvedValue(
      new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Locked. Try again later.' } }), {
        status: 429,
        headers: { 'Retry-After': '900' },
      }),
    )
    await expect(client(f).login('a@example.com', 'x')).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 900 })
  })

  it('calls the account endpoints', async () => {
    const f = vi.fn<FetchFunc>().mockImplementation(async () => jsonResponse(200, {}))
    const c = client(f)
    await c.setupInfo()
    await c.listUsers()
    await c.createUser({ email: 'e@x.io', name: 'E', password: 'p'.repeat(10), role: 'viewer', groups: ['staff'] })
    await c.updateUser('usr_1', { role: 'uploader' })
    await c.deleteUser('usr_1')
    await c.createInvite('viewer', 24)
    await c.getSettings()
    await c.listKeys()
    await c.createKey('ci', ['read'])
    await c.revokeKey('key/1')
    expect(f.mock.calls.map(([url, init]) => `${init!.method} ${url}`)).toEqual([
      'GET /api/v1/auth/setup',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'PATCH /api/v1/users/usr_1',
      'DELETE /api/v1/users/usr_1',
      'POST /api/v1/invites',
      'GET /api/v1/settings',
      'GET /api/v1/keys',
      'POST /api/v1/keys',
      'DELETE /api/v1/keys/key%2F1',
    ])
    expect(JSON.parse(f.mock.calls[5][1]!.body as string)).toEqual({ role: 'viewer', ttl_hours: 24 })
    expect(JSON.parse(f.mock.calls[8][1]!.body as string)).toEqual({ name: 'ci', scopes: ['read'] })
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
