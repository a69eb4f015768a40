// EmptyState is the shared look for "nothing here" and "something went wrong"
// panels, so every list and page fails the same, readable way.

import type { ReactNode } from 'react'
import { Icon, type IconName } from './Icon'

export function EmptyState({
  icon = 'film',
  title,
  children,
  tone = 'neutral',
}: {
  icon?: IconName
  title: string
  children?: ReactNode
  tone?: 'neutral' | 'error'
}) {
  return (
    <div className={`empty empty-${tone}`} role={tone === 'error' ? 'alert' : undefined}>
      <div className="empty-icon">
        <Icon name={icon} size={28} />
      </div>
      <h2>{title}</h2>
      {children}
    </div>
  )
}

/** LoadError is the panel of a page or list whose data could not be fetched, with a retry. */
export function LoadError({ what, error, onRetry }: { what: string; error: Error; onRetry: () => void }) {
  return (
    <EmptyState icon="close" tone="error" title={`Could not load ${what}`}>
      <p>{error.message}</p>
      <button type="button" className="btn" onClick={onRetry}>
        Try again
      </button>
    </EmptyState>
  )
}
