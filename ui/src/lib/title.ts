// Tab titles: "Page · kinema", so several kinema tabs and the browser's
// history can be told apart.

import { useEffect } from 'react'
import type { Route } from './router'

const NAMES: Partial<Record<Route['name'], string>> = {
  library: 'Library',
  upload: 'Upload',
  live: 'Live',
  signin: 'Sign in',
  signup: 'Sign up',
  users: 'Users and sign-up',
  keys: 'API keys',
  stream: 'Live stream',
  account: 'Your account',
  admin: 'Admin dashboard',
  notfound: 'Page not found',
}

/** pageTitle is the tab title of a page; "" leaves it to the page (watch, stream, embed). */
export function pageTitle(route: Route): string {
  const name = NAMES[route.name]
  return name ? `${name} · kinema` : ''
}

/** useTitle sets the tab title while title is non-empty. */
export function useTitle(title: string | undefined): void {
  useEffect(() => {
    if (title) document.title = `${title} · kinema`
  }, [title])
}
