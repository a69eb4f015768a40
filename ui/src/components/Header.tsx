// Header: brand, the sections the user's role may use, and the account menu
// (or a sign-in link for visitors watching a shared video). It stays compact
// so the player gets most of a phone's screen.

import { useLocation } from '../lib/router'
import { can, useSession } from '../lib/session'
import { AccountMenu } from './AccountMenu'
import { Icon } from './Icon'
import { Link } from './Link'

export function Header() {
  const { path, query } = useLocation()
  const session = useSession()
  const active = (p: string) =>
    path === p || (p === '/' && path === '/library') || (p === '/streams' && path.startsWith('/streams/')) ? 'nav-link active' : 'nav-link'
  return (
    <header className="header">
      <Link href="/" className="brand" aria-label="kinema home">
        <span className="brand-mark">
          <Icon name="play" size={16} />
        </span>
        <span className="brand-text">kinema</span>
      </Link>
      <nav className="nav">
        {session.user && (
          <Link href="/" className={active('/')}>
            Library
          </Link>
        )}
        {can(session, 'upload') && (
          <>
            <Link href="/upload" className={active('/upload')}>
              Upload
            </Link>
            <Link href="/streams" className={active('/streams')}>
              Live
            </Link>
          </>
        )}
      </nav>
      {session.user ? (
        <AccountMenu />
      ) : (
        <Link href={`/signin?next=${encodeURIComponent(path + (query.size ? `?${query}` : ''))}`} className="btn btn-small">
          Sign in
        </Link>
      )}
    </header>
  )
}
