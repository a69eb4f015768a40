// SignInPage: email and password. The server answers with a session cookie
// (HttpOnly, so scripts never hold the credential) and the CSRF token the
// client keeps in memory. Wrong passwords, locked accounts and too many
// attempts come back as the server's own sentences.

import type { ApiClient, SessionView, SignupMode } from '../lib/api'
import { authErrorText } from '../lib/authErrors'
import { AccountForm } from '../components/AccountForm'
import { Link } from '../components/Link'

export function SignInPage({
  client,
  signup,
  expired = false,
  onSignedIn,
}: {
  client: Pick<ApiClient, 'login'>
  signup: SignupMode
  expired?: boolean
  onSignedIn: (v: SessionView) => void
}) {
  return (
    <AccountForm
      title="Sign in"
      notice={expired ? 'Your session ended. Sign in again.' : undefined}
      submitLabel="Sign in"
      busyLabel="Signing in…"
      errorText={(err) => authErrorText(err, 'signin')}
      onSubmit={async (v) => onSignedIn(await client.login(v.email, v.password))}
      footer={
        signup === 'open' ? (
          <>
            New here? <Link href="/signup">Create an account</Link>
          </>
        ) : (
          'Ask an admin of this server for an account or an invite link.'
        )
      }
    />
  )
}
