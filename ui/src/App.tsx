// App asks the server who is signed in (useAuth), then picks the page for
// the current path. Signed-out visitors get first-run setup, sign-in or
// sign-up, except on watch pages, which play public and unlisted videos for
// anyone. Pages a role may not use say so instead of failing on the API.

import { useEffect, useMemo, type ReactNode } from 'react'
import * as tus from 'tus-js-client'
import type { FetchFunc } from './lib/api'
import { matchRoute, navigate, useLocation, type Route } from './lib/router'
import { can, SessionContext, type Session } from './lib/session'
import { UploadManager } from './lib/uploads'
import { useAuth } from './lib/useAuth'
import { EmptyState } from './components/EmptyState'
import { Header } from './components/Header'
import { Link } from './components/Link'
import { EmbedPage } from './pages/EmbedPage'
import { KeysPage } from './pages/KeysPage'
import { LibraryPage } from './pages/LibraryPage'
import { LivePage } from './pages/LivePage'
import { SetupPage } from './pages/SetupPage'
import { SignInPage } from './pages/SignInPage'
import { SignUpPage } from './pages/SignUpPage'
import { StreamPage } from './pages/StreamPage'
import { AnalyticsPage } from './pages/AnalyticsPage'
import { UploadPage } from './pages/UploadPage'
import { UsersPage } from './pages/UsersPage'
import { AccountPage } from './pages/AccountPage'
import { AdminPage } from './pages/AdminPage'
import { pageTitle } from './lib/title'
import { WatchPage } from './pages/WatchPage'

/** fetchFn is for tests; the browser's fetch otherwise. */
export function App({ fetchFn }: { fetchFn?: FetchFunc } = {}) {
  const { path, query } = useLocation()
  const route = matchRoute(path)
  const { state, client, signedIn, signOut, retry } = useAuth(fetchFn)
  const user = state.phase === 'signedIn' ? state.view.user : null
  const userId = user?.id ?? ''

  // One upload list per person: signing in as someone else starts empty.
  const uploads = useMemo(() => new UploadManager(client, tus), [client, userId]) // eslint-disable-line react-hooks/exhaustive-deps
  const session = useMemo<Session>(
    () => ({
      client,
      uploads,
      user,
      scopes: state.phase === 'signedIn' ? state.view.scopes : [],
      signOut: async () => {
        await signOut()
        navigate('/')
      },
    }),
    [client, uploads, user, state, signOut],
  )

  // The sign-in and sign-up pages have nothing to show a signed-in user:
  // go where the visitor was headed (?next=, set by the header's link).
  const isSignedIn = state.phase === 'signedIn'
  const next = query.get('next')
  useEffect(() => {
    if (isSignedIn && (route.name === 'signin' || route.name === 'signup')) navigate(safeNext(next), { replace: true })
  }, [isSignedIn, route.name, next])

  // Each page names itself in the tab; watch and stream pages use the title.
  const title = pageTitle(state.phase === 'signedOut' && route.name !== 'watch' && route.name !== 'signup' ? { name: 'signin' } : route)
  useEffect(() => {
    if (title) document.title = title
  }, [title])

  // The embed page plays signed URLs and must work for anyone, signed in or not.
  if (route.name === 'embed') return <EmbedPage id={route.id} />

  if (state.phase === 'loading') return <main className="signin" aria-busy="true" />
  if (state.phase === 'error') {
    return (
      <main className="signin">
        <EmptyState icon="close" tone="error" title="Cannot reach kinema">
          <p>{state.error.message}</p>
          <button type="button" className="btn" onClick={retry}>
            Try again
          </button>
        </EmptyState>
      </main>
    )
  }

  if (state.phase === 'signedOut') {
    const { setup, expired } = state
    if (setup.needs_setup) return <SetupPage client={client} onSignedIn={signedIn} />
    if (route.name === 'signup') {
      return <SignUpPage client={client} signup={setup.signup} invite={query.get('invite') ?? ''} onSignedIn={signedIn} />
    }
    if (route.name !== 'watch') {
      // Signing in on a deep link (/upload, /users, …) lands on that page.
      return (
        <SignInPage
          client={client}
          signup={setup.signup}
          expired={expired}
          onSignedIn={signedIn}
        />
      )
    }
  }

  return (
    <SessionContext.Provider value={session}>
      <Header />
      <Page route={route} session={session} />
    </SessionContext.Provider>
  )
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.name) {
    case 'library':
      return <LibraryPage />
    case 'signin':
    case 'signup':
      return null // App's effect moves on to ?next=
    case 'watch':
      return <WatchPage key={route.id} id={route.id} />
    case 'upload':
      return needs(session, 'upload', <UploadPage />)
    case 'live':
      return needs(session, 'upload', <LivePage />)
    case 'stream':
      return needs(session, 'upload', <StreamPage key={route.id} id={route.id} />)
    case 'users':
      return needs(session, 'admin', <UsersPage />)
    case 'keys':
      return <KeysPage />
    case 'account':
      return <AccountPage />
    case 'admin':
      return needs(session, 'admin', <AdminPage />)
    case 'analytics':
      return route.id ? needs(session, 'upload', <AnalyticsPage key={route.id} id={route.id} />) : needs(session, 'admin', <AnalyticsPage />)
    default:
      return (
        <main className="page">
          <EmptyState title="Page not found">
            <Link href="/" className="btn">
              Go to the library
            </Link>
          </EmptyState>
        </main>
      )
  }
}

/** safeNext keeps redirects after sign-in on this site: a path, never //host or a URL. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'
}

/** needs renders page when the session holds scope, else says why not. */
function needs(session: Session, scope: 'upload' | 'admin', page: ReactNode): ReactNode {
  if (can(session, scope)) return page
  return (
    <main className="page">
      <EmptyState icon="close" title={scope === 'admin' ? 'Admins only' : 'Your account cannot upload'}>
        <p className="muted">
          {scope === 'admin'
            ? 'This page is for administrators of this server.'
            : 'Viewers watch what is shared with them. Ask an admin if you need to upload or stream.'}
        </p>
        <Link href="/" className="btn">
          Go to the library
        </Link>
      </EmptyState>
    </main>
  )
}
