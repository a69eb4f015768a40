// SetupPage is the first run: no account exists yet, and the one made here
// becomes the admin.

import type { ApiClient, SessionView } from '../lib/api'
import { authErrorText } from '../lib/authErrors'
import { AccountForm } from '../components/AccountForm'

export function SetupPage({ client, onSignedIn }: { client: Pick<ApiClient, 'signup'>; onSignedIn: (v: SessionView) => void }) {
  return (
    <AccountForm
      title="Create the admin account"
      intro="Welcome to kinema. This first account runs the server: it adds people, decides who may sign up and sees every video."
      withName
      newPassword
      submitLabel="Create admin account"
      busyLabel="Creating…"
      errorText={(err) => authErrorText(err, 'signup')}
      onSubmit={async (v) => onSignedIn(await client.signup(v))}
    />
  )
}
