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
