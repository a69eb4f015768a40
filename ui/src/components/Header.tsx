// Header: brand, the main sections, and sign-out. It stays compact so the
// player gets most of a phone's screen.

import { useLocation } from '../lib/router'
import { useSession } from '../lib/session'
import { Icon } from './Icon'
import { Link } from './Link'

export function Header() {
  const { path } = useLocation()
  const { signOut } = useSession()
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
        <Link href="/" className={active('/')}>
          Library
        </Link>
        <Link href="/upload" className={active('/upload')}>
          Upload
        </Link>
        <Link href="/streams" className={active('/streams')}>
          Live
        </Link>
      </nav>
      <button type="button" className="btn btn-ghost btn-small" onClick={signOut}>
        Sign out
      </button>
    </header>
  )
}
