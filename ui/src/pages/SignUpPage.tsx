// SignUpPage creates an account when the admin opened sign-up, or with the
// invite code from an invite link (/signup?invite=CODE), which also sets the
// new account's role.

import type { ApiClient, SessionView, SignupMode } from '../lib/api'
import { authErrorText } from '../lib/authErrors'
import { AccountForm } from '../components/AccountForm'
import { AuthCard } from '../components/AuthCard'
import { Link } from '../components/Link'

export function SignUpPage({
  client,
  signup,
  invite,
  onSignedIn,
}: {
  client: Pick<ApiClient, 'signup'>
  signup: SignupMode
  invite: string
  onSignedIn: (v: SessionView) => void
}) {
  const footer = (
    <>
      Already have an account? <Link href="/signin">Sign in</Link>
    </>
  )
  if (!invite && signup !== 'open') {
    return (
      <AuthCard title="Sign-up is closed" footer={footer}>
        <p className="muted">
          {signup === 'invite'
            ? 'This server only takes new accounts through invite links. Ask an admin for one.'
            : 'This server does not take new accounts. Ask an admin to create one for you.'}
        </p>
      </AuthCard>
    )
  }
  return (
    <AccountForm
      title="Create your account"
      intro={invite ? 'You were invited to this kinema server.' : undefined}
      withName
      newPassword
      submitLabel="Create account"
      busyLabel="Creating…"
      errorText={(err) => authErrorText(err, 'signup')}
      onSubmit={async (v) => onSignedIn(await client.signup({ ...v, invite: invite || undefined }))}
      footer={footer}
    />
  )
}
