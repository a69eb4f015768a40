// AuthCard is the centred card the signed-out pages (setup, sign-in,
// sign-up) share: the word mark, a heading, the form and a footer line.

import type { FormEvent, ReactNode } from 'react'
import { Icon } from './Icon'

export function AuthCard({
  title,
  intro,
  onSubmit,
  children,
  footer,
}: {
  title: string
  intro?: ReactNode
  onSubmit?: (e: FormEvent) => void
  children: ReactNode
  footer?: ReactNode
}) {
  return (
    <main className="signin">
      <form className="card signin-card" onSubmit={onSubmit} noValidate>
        <div className="brand brand-large">
          <span className="brand-mark">
            <Icon name="play" size={20} />
          </span>
          kinema
        </div>
        <h1 className="auth-title">{title}</h1>
        {intro && <p className="muted auth-intro">{intro}</p>}
        {children}
        {footer && <p className="muted small auth-footer">{footer}</p>}
      </form>
    </main>
  )
}
