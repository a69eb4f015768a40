// KeysPage: the user's API keys for scripts and tools. A key can do at most
// what its owner's role allows (the server cuts it down if the role
// shrinks), and its secret is shown once, right after it is made.

import { useEffect, useState, type FormEvent } from 'react'
import { asApiError, type ApiKey, type Scope } from '../lib/api'
import { formatDate } from '../lib/format'
import { useSession } from '../lib/session'
import { useLoad } from '../lib/useLoad'
import { LoadError } from '../components/EmptyState'
import { SecretOnce } from '../components/SecretOnce'
import { errorText } from '../lib/errors'

const SCOPE_HINTS: Record<Scope, string> = {
  read: 'list and watch',
  upload: 'upload, edit and delete own videos; live streams',
  admin: 'users, settings and every video',
}

export function KeysPage() {
  const { client, scopes: mine } = useSession()
  const [epoch, setEpoch] = useState(0)
  const [keys, failed, setKeys] = useLoad<ApiKey[]>((signal) => client.listKeys(signal), [client, epoch])
  const error = failed === undefined ? undefined : asApiError(failed)
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<Scope[]>(['read'])
  const [busy, setBusy] = useState(false)
  const [createError, setCreateError] = useState('')
  const [created, setCreated] = useState<{ key: ApiKey; secret: string }>()

  // "last used" changes while the page is open (a script using a key):
  // refresh when the tab comes back into view and every 15 s while visible.
  useEffect(() => {
    const again = () => {
      if (document.visibilityState === 'visible') setEpoch((n) => n + 1)
    }
    const t = window.setInterval(again, 15_000)
    document.addEventListener('visibilitychange', again)
    window.addEventListener('focus', again)
    return () => {
      window.clearInterval(t)
      document.removeEventListener('visibilitychange', again)
      window.removeEventListener('focus', again)
    }
  }, [])

  const create = async (e: FormEvent) => {
    e.preventDefault()
    if (!name.trim()) return setCreateError('Give the key a name, e.g. the script that will use it.')
    if (scopes.length === 0) return setCreateError('Pick at least one permission.')
    setBusy(true)
    setCreateError('')
    try {
      const res = await client.createKey(name.trim(), scopes)
      setCreated(res)
      setKeys((list) => [res.key, ...(list ?? [])])
      setName('')
    } catch (err) {
      setCreateError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  const toggle = (s: Scope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]))

  return (
    <main className="page page-narrow">
      <h1 className="page-title">API keys</h1>
      <form className="card admin-card" aria-label="New API key" onSubmit={create} noValidate>
        <h2 className="section-title">New key</h2>
        <label className="form-row">
          <span className="field-label">Name</span>
          <input className="input" placeholder="e.g. backup script" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset className="scopes">
          <legend className="field-label">Permissions</legend>
          {mine.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} />
              <span>
                <strong>{s}</strong> <span className="muted small">— {SCOPE_HINTS[s] ?? ''}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
        {createError && (
          <p className="error-text" role="alert">
            {createError}
          </p>
        )}
        {created && (
          <SecretOnce label="New key" value={created.secret} testId="new-key">
            Send it as <code>Authorization: Bearer …</code>.
          </SecretOnce>
        )}
      </form>

      <section className="card admin-card" aria-label="Your keys">
        <h2 className="section-title">Your keys</h2>
        {error && !keys ? (
          <LoadError what="your keys" error={error} onRetry={() => setEpoch((n) => n + 1)} />
        ) : !keys ? (
          <div className="skeleton" style={{ height: 80, borderRadius: 8 }} aria-busy="true" />
        ) : keys.length === 0 ? (
          <p className="muted">No keys yet.</p>
        ) : (
          <ul className="key-list">
            {keys.map((k) => (
              <KeyRow
                key={k.id}
                k={k}
                onRevoked={(r) => {
                  setKeys((list) => list?.map((x) => (x.id === r.id ? r : x)))
                  // A revoked key's secret is worthless: take it off the screen.
                  setCreated((c) => (c?.key.id === r.id ? undefined : c))
                }}
              />
            ))}
          </ul>
        )}
      </section>
    </main>
  )
}

function KeyRow({ k, onRevoked }: { k: ApiKey; onRevoked: (k: ApiKey) => void }) {
  const { client } = useSession()
  const [confirming, setConfirming] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')

  const revoke = async () => {
    if (!confirming) {
      setConfirming(true)
      return
    }
    setBusy(true)
    setError('')
    try {
      await client.revokeKey(k.id)
      onRevoked({ ...k, revoked_at: new Date().toISOString() })
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
      setConfirming(false)
    }
  }

  return (
    <li className={`key-row${k.revoked_at ? ' is-disabled' : ''}`} data-testid="key-row">
      <div className="user-who">
        <strong>{k.name}</strong>
        <span className="muted small">
          {(k.scopes ?? []).join(', ')} · made {formatDate(k.created_at)} ·{' '}
          {k.last_used_at ? `last used ${formatDate(k.last_used_at)}` : 'never used'}
        </span>
      </div>
      {k.revoked_at ? (
        <span className="badge badge-failed">Revoked</span>
      ) : (
        <button
          type="button"
          className={`btn btn-small${confirming ? ' btn-danger' : ''}`}
          disabled={busy}
          onClick={() => void revoke()}
          onBlur={() => setConfirming(false)}
          aria-label={confirming ? `Confirm revoke ${k.name}` : `Revoke ${k.name}`}
        >
          {confirming ? 'Revoke?' : 'Revoke'}
        </button>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}
