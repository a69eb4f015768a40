// authErrorText turns a failed sign-in or sign-up into the sentence shown
// under the form. The server's messages are written for people, so most are
// shown as they are; a few get the detail only the client knows.

import { ApiError } from './api'
import { formatWait } from './format'
import { errorText } from './errors'

export function authErrorText(err: unknown, action: 'signin' | 'signup'): string {
  if (!(err instanceof ApiError)) return errorText(err)
  if (err.code === 'rate_limited') {
    const base = err.message.replace(/\s*Try again later\.?$/, '')
    return err.retryAfter ? `${base} Try again in ${formatWait(err.retryAfter)}.` : err.message
  }
  // 403 on sign-up is the server's generic "You may not do that.": say why.
  if (action === 'signup' && err.status === 403 && err.code === 'forbidden') {
    return 'Sign-up is closed on this server. Ask an admin for an invite.'
  }
  return err.message
}
