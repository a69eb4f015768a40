// Role names and what each may do, worded once for every admin form.

import type { Role } from '../../lib/api'

export const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: 'viewer', label: 'Viewer', hint: 'watches what is shared with them' },
  { value: 'uploader', label: 'Uploader', hint: 'also uploads, streams and shares their own videos' },
  { value: 'admin', label: 'Admin', hint: 'everything, including users and settings' },
]

export function roleLabel(r: Role): string {
  return ROLES.find((x) => x.value === r)?.label ?? r
}
