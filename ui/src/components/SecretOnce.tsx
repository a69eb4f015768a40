// SecretOnce shows a credential the server returns once (an API key, an
// invite link) with a copy button and the warning that it will not come back.

import type { ReactNode } from 'react'
import { CopyField } from './CopyField'

export function SecretOnce({ label, value, testId, children }: { label: string; value: string; testId: string; children: ReactNode }) {
  return (
    <div className="secret-once" data-testid={testId}>
      <CopyField label={label} value={value} />
      <p className="muted small">{children} Copy it now: it is not shown again.</p>
    </div>
  )
}
