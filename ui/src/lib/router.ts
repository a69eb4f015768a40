// A tiny history-API router: the app has a handful of routes, which does not justify
// a routing dependency. The Go handler serves index.html for unknown paths, so
// deep links such as /watch/{id} load the app directly.

import { useSyncExternalStore } from 'react'

const EVENT = 'popstate'

function subscribe(fn: () => void): () => void {
  window.addEventListener(EVENT, fn)
  return () => window.removeEventListener(EVENT, fn)
}

function snapshot(): string {
  return window.location.pathname + window.location.search
}

/** navigate changes the URL and re-renders subscribers, like a link click. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return
  if (opts.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  window.dispatchEvent(new PopStateEvent(EVENT))
  if (!opts.replace) window.scrollTo(0, 0)
}

/** useLocation returns the current path and query parameters. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const s = useSyncExternalStore(subscribe, snapshot, () => '/')
  const u = new URL(s, 'http://x')
  return { path: u.pathname, query: u.searchParams }
}

export type Route =
  | { name: 'library' }
  | { name: 'upload' }
  | { name: 'watch'; id: string }
  | { name: 'embed'; id?: string }
  | { name: 'live' }
  | { name: 'stream'; id: string }
  | { name: 'signin' }
  | { name: 'signup' }
  | { name: 'users' }
  | { name: 'keys' }
  | { name: 'account' }
  | { name: 'analytics'; id?: string }
  | { name: 'admin' }
  | { name: 'notfound' }

/** matchRoute maps a path to a route; pure so it is unit-tested. */
export function matchRoute(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/'
  if (p === '/' || p === '/library') return { name: 'library' }
  if (p === '/upload') return { name: 'upload' }
  if (p === '/embed') return { name: 'embed' }
  if (p === '/signin') return { name: 'signin' }
  // /signup?invite=CODE is the link an admin's invite hands out.
  if (p === '/signup') return { name: 'signup' }
  if (p === '/users') return { name: 'users' }
  if (p === '/keys') return { name: 'keys' }
  if (p === '/account') return { name: 'account' }
  if (p === '/analytics') return { name: 'analytics' }
  if (p === '/admin') return { name: 'admin' }
  // Live pages sit under /streams: /live/ is where the server delivers live media.
  if (p === '/streams') return { name: 'live' }
  const m = /^\/watch\/([^/]+)$/.exec(p)
  if (m) return { name: 'watch', id: decodeURIComponent(m[1]) }
  const e = /^\/embed\/([^/]+)$/.exec(p)
  if (e) return { name: 'embed', id: decodeURIComponent(e[1]) }
  const s = /^\/streams\/([^/]+)$/.exec(p)
  if (s) return { name: 'stream', id: decodeURIComponent(s[1]) }
  const an = /^\/analytics\/([^/]+)$/.exec(p)
  if (an) return { name: 'analytics', id: decodeURIComponent(an[1]) }
  return { name: 'notfound' }
}
