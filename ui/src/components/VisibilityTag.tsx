// VisibilityTag names who may watch a video, with the words the visibility
// picker uses, so "Unlisted" on a card means the same as in the editor.

import type { Visibility } from '../lib/api'

export const VISIBILITIES: { value: Visibility; label: string; hint: string }[] = [
  { value: 'private', label: 'Private', hint: 'Only you and admins.' },
  { value: 'unlisted', label: 'Unlisted', hint: 'Anyone with the link, signed in or not; not listed.' },
  { value: 'public', label: 'Public', hint: 'Anyone, signed in or not; listed in every library.' },
  { value: 'restricted', label: 'Restricted', hint: 'The people and groups you pick.' },
]

export function visibilityLabel(v: Visibility | undefined): string {
  return VISIBILITIES.find((x) => x.value === v)?.label ?? ''
}

export function VisibilityTag({ visibility }: { visibility?: Visibility }) {
  if (!visibility) return null
  return (
    <span className={`vis vis-${visibility}`} data-testid="visibility">
      {visibilityLabel(visibility)}
    </span>
  )
}
