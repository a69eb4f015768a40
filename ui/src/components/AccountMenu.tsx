// AccountMenu is the header's avatar button: who is signed in, the pages
// about their account (API keys; users and sign-up settings for admins)
// and sign-out. A menu keeps the header short enough for a phone.

import { useCallback, useRef, useState } from 'react'
import { can, useSession } from '../lib/session'
import { useDismiss } from '../lib/useDismiss'
import { Link } from './Link'

const ROLE_LABELS = { admin: 'Admin', uploader: 'Uploader', viewer: 'Viewer' } as const

export function AccountMenu() {
  const session = useSession()
  const { user, signOut } = session
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const close = useCallback(() => setOpen(false), [])

  useDismiss(open, root, close)

  if (!user) return null
  const label = user.name || user.email
  return (
    <div className="account" ref={root}>
      <button
        type="button"
        className="account-button"
        aria-label="Account"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        title={user.email}
      >
        <span className="avatar" aria-hidden="true">
          {initial(label)}
        </span>
        <span className="account-name">{label}</span>
      </button>
      {open && (
        <div className="account-menu" role="menu" aria-label="Account">
          <div className="account-who">
            <strong>{label}</strong>
            {user.name && <span className="muted small">{user.email}</span>}
            <span className="muted small" data-testid="account-role">
              {ROLE_LABELS[user.role] ?? user.role}
            </span>
          </div>
          <Link href="/account" role="menuitem" className="menu-item" onClick={close}>
            Your account
          </Link>
          <Link href="/keys" role="menuitem" className="menu-item" onClick={close}>
            API keys
          </Link>
          {can(session, 'admin') && (
            <Link href="/users" role="menuitem" className="menu-item" onClick={close}>
              Users and sign-up
            </Link>
          )}
          {can(session, 'admin') && (
            <>
              <Link href="/admin" role="menuitem" className="menu-item" onClick={close}>
                Admin dashboard
              </Link>
              <Link href="/analytics" role="menuitem" className="menu-item" onClick={close}>
                Analytics
              </Link>
            </>
          )}
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => {
              close()
              void signOut()
            }}
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  )
}

function initial(s: string): string {
  return ([...s.trim()][0] ?? '?').toUpperCase()
}
