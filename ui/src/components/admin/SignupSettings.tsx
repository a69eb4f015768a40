// SignupSettings: whether strangers may sign up (open), only through invite
// links (invite), or not at all (closed), and the role open sign-up gives.

import { useEffect, useState, type FormEvent } from 'react'
import type { ApiClient, Settings, SignupMode } from '../../lib/api'
import { Choice } from '../Choice'
import { ROLES } from './roles'
import { FormActions, type FormMessage } from '../FormActions'
import { errorText } from '../../lib/errors'

const MODES: { value: SignupMode; label: string }[] = [
  { value: 'closed', label: 'Closed: admins add people' },
  { value: 'invite', label: 'Invite links only' },
  { value: 'open', label: 'Open: anyone may sign up' },
]

export function SignupSettings({ client }: { client: Pick<ApiClient, 'getSettings' | 'putSettings'> }) {
  const [settings, setSettings] = useState<Settings>()
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormMessage>()

  useEffect(() => {
    const ctrl = new AbortController()
    client.getSettings(ctrl.signal).then(setSettings, (err: unknown) => {
      if (!ctrl.signal.aborted) setMessage({ ok: false, text: errorText(err) })
    })
    return () => ctrl.abort()
  }, [client])

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!settings) return
    setBusy(true)
    setMessage(undefined)
    try {
      setSettings(await client.putSettings(settings))
      setMessage({ ok: true, text: 'Saved.' })
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card admin-card" aria-label="Sign-up" onSubmit={submit}>
      <h2 className="section-title">Sign-up</h2>
      {settings ? (
        <div className="form-grid">
          <label className="form-row">
            <span className="field-label">Who may sign up</span>
            <Choice value={settings.signup} options={MODES} onChange={(signup) => setSettings({ ...settings, signup })} />
          </label>
          <label className="form-row">
            <span className="field-label">Role of new sign-ups</span>
            <Choice value={settings.default_role} options={ROLES} onChange={(default_role) => setSettings({ ...settings, default_role })} />
          </label>
        </div>
      ) : (
        !message && <div className="skeleton" style={{ height: 64, borderRadius: 8 }} aria-busy="true" />
      )}
      <FormActions label="Save" busyLabel="Saving…" busy={busy} disabled={!settings} message={message} />
    </form>
  )
}
