// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { App, safeNext } from './App'
import type { FetchFunc, Role, Scope } from './lib/api'
import { testUser } from './test/session'

const SCOPES: Record<Role, Scope[]> = { admin: ['read', 'upload', 'admin'], uploader: ['read', 'upload'], viewer: ['read'] }

function json(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const unauthorized = () => json(401, { error: { code: 'unauthorized', message: 'Sign in' } })

/** server answers "METHOD /path" from routes; anything else is a 404. */
function server(routes: Record<string, () => Response>) {
  return vi.fn<FetchFunc>(async (url, init) => {
    const key = `${init?.method ?? 'GET'} ${url.replace(/^\/api\/v1/, '')}`
    const h = routes[key]
    return h ? h() : json(404, { error: { code: 'not_found', message: 'Not found.' } })
  })
}

const signedIn = (role: Role) => () => json(200, { user: testUser(role), scopes: SCOPES[role], csrf_token: `csrf-${role}` })

beforeEach(() => {
  window.history.replaceState(null, '', '/')
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined) // jsdom has none
})

describe('App', () => {
  it('restores the session on load and shows what an admin may use', async () => {
    const f = server({
      'GET /auth/setup': () => json(200, { needs_setup: false, signup: 'closed', session: true }),
      'GET /auth/session': signedIn('admin'),
      'GET /videos': () => json(200, { videos: [] }),
    })
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Library' })).toBeTruthy()
    expect(screen.getAllByRole('link', { name: 'Upload' }).length).toBeGreaterThan(0)
    expect(screen.getByRole('link', { name: 'Live' })).toBeTruthy()
    expect(screen.getByRole('tab', { name: 'Mine' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Account' }))
    expect(screen.getByRole('menuitem', { name: 'Users and sign-up' })).toBeTruthy()
    expect(screen.getByRole('menuitem', { name: 'API keys' })).toBeTruthy()
    expect(screen.getByRole('menuitem', { name: 'Admin dashboard' })).toBeTruthy()
    expect(f.mock.calls.slice(0, 2).map((c) => c[0])).toEqual(['/api/v1/auth/setup', '/api/v1/auth/session'])
  })

  it('asks nothing that fails when the browser holds no session', async () => {
    const f = server({
      'GET /auth/setup': () => json(200, { needs_setup: false, signup: 'closed', session: false }),
      'GET /auth/session': unauthorized,
    })
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy()
    expect(f.mock.calls.map((c) => c[0])).toEqual(['/api/v1/auth/setup'])
  })

  it('hides uploading and admin pages from a viewer', async () => {
    window.history.replaceState(null, '', '/upload')
    const f = server({ 'GET /auth/session': signedIn('viewer'), 'GET /videos': () => json(200, { videos: [] }) })
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Your account cannot upload' })).toBeTruthy()
    expect(screen.queryByRole('link', { name: 'Upload' })).toBeNull()
    expect(screen.queryByRole('link', { name: 'Live' })).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Account' }))
    expect(screen.queryByRole('menuitem', { name: 'Users and sign-up' })).toBeNull()
    expect(screen.getByTestId('account-role').textContent).toBe('Viewer')
    fireEvent.click(screen.getByRole('menuitem', { name: 'API keys' }))
    expect(window.location.pathname).toBe('/keys')
  })

  it('shows the library without upload offers to a viewer', async () => {
    const f = server({ 'GET /auth/session': signedIn('viewer'), 'GET /videos': () => json(200, { videos: [] }) })
    render(<App fetchFn={f} />)
    expect(await screen.findByText('Nothing to watch yet')).toBeTruthy()
    expect(screen.queryByRole('link', { name: /upload/i })).toBeNull()
    expect(screen.queryByRole('tab', { name: 'Mine' })).toBeNull()
  })

  it('keeps admin pages from uploaders', async () => {
    window.history.replaceState(null, '', '/users')
    render(<App fetchFn={server({ 'GET /auth/session': signedIn('uploader') })} />)
    expect(await screen.findByRole('heading', { name: 'Admins only' })).toBeTruthy()
  })

  it('shows first-run setup when no account exists', async () => {
    const f = server({ 'GET /auth/session': unauthorized, 'GET /auth/setup': () => json(200, { needs_setup: true, signup: 'closed' }) })
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Create the admin account' })).toBeTruthy()
  })

  it('signs in when signed out, and lands on the library', async () => {
    let session = unauthorized
    const f = server({
      'GET /auth/session': () => session(),
      'GET /auth/setup': () => json(200, { needs_setup: false, signup: 'open' }),
      'POST /auth/login': () => {
        session = signedIn('uploader')
        return session()
      },
      'GET /videos': () => json(200, { videos: [] }),
    })
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Create an account' })).toBeTruthy()
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'uploader@example.com' } })
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'long-enough' } })
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('heading', { name: 'Library' })).toBeTruthy()
  })

  it('plays shared videos for signed-out visitors and offers sign-in', async () => {
    window.history.replaceState(null, '', '/watch/pub')
    const f = server({
      'GET /auth/session': unauthorized,
      'GET /auth/setup': () => json(200, { needs_setup: false, signup: 'closed' }),
      'GET /videos/pub': () => json(200, { id: 'pub', title: 'Open day', status: 'processing', visibility: 'public', owner_id: 'usr_x' }),
      'GET /videos/priv': () => json(404, { error: { code: 'not_found', message: 'Not found.' } }),
    })
    const { unmount } = render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Open day' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/signin?next=%2Fwatch%2Fpub')
    expect(screen.queryByRole('form', { name: 'Who can watch' })).toBeNull()
    unmount()

    window.history.replaceState(null, '', '/watch/priv')
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Video not found' })).toBeTruthy()
  })

  it('signs out with the CSRF token and returns to sign-in', async () => {
    let session = signedIn('admin')
    const f = server({
      'GET /auth/session': () => session(),
      'GET /auth/setup': () => json(200, { needs_setup: false, signup: 'closed' }),
      'GET /videos': () => json(200, { videos: [] }),
      'POST /auth/logout': () => {
        session = unauthorized
        return new Response(null, { status: 204 })
      },
    })
    render(<App fetchFn={f} />)
    await screen.findByRole('heading', { name: 'Library' })
    fireEvent.click(screen.getByRole('button', { name: 'Account' }))
    fireEvent.click(screen.getByRole('menuitem', { name: 'Sign out' }))
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy()
    const logout = f.mock.calls.find(([url]) => url === '/api/v1/auth/logout')!
    expect((logout[1]!.headers as Record<string, string>)['X-CSRF-Token']).toBe('csrf-admin')
  })

  it('notices a session that ended under the user', async () => {
    let session = signedIn('admin')
    const f = server({
      'GET /auth/session': () => session(),
      'GET /auth/setup': () => json(200, { needs_setup: false, signup: 'closed' }),
      'GET /videos': () => {
        session = unauthorized
        return unauthorized()
      },
    })
    render(<App fetchFn={f} />)
    expect(await screen.findByText('Your session ended. Sign in again.')).toBeTruthy()
  })

  it('says when the server cannot be reached', async () => {
    const f = vi.fn<FetchFunc>().mockRejectedValue(new TypeError('Failed to fetch'))
    render(<App fetchFn={f} />)
    expect(await screen.findByRole('heading', { name: 'Cannot reach kinema' })).toBeTruthy()
    await waitFor(() => expect(f).toHaveBeenCalled())
  })
})

describe('safeNext', () => {
  it.each([
    ['/watch/a', '/watch/a'],
    [null, '/'],
    ['', '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example', '/'],
  ])('%s → %s', (next, want) => {
    expect(safeNext(next)).toBe(want)
  })
})
