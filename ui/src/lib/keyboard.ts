// Player keyboard shortcuts, YouTube-style. Kept pure so the key mapping is
// unit-tested without a DOM.

export type Shortcut = 'toggle' | 'fullscreen' | 'mute' | 'back' | 'forward'

export const SEEK_STEP = 5

export function shortcutFor(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): Shortcut | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined // leave browser shortcuts alone
  switch (e.key) {
    case ' ':
    case 'k':
    case 'K':
      return 'toggle'
    case 'f':
    case 'F':
      return 'fullscreen'
    case 'm':
    case 'M':
      return 'mute'
    case 'ArrowLeft':
      return 'back'
    case 'ArrowRight':
      return 'forward'
    default:
      return undefined
  }
}

/** isTypingTarget is true where keys belong to a text field, not the player. */
export function isTypingTarget(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null
  if (!el || !el.tagName) return false
  if (el.isContentEditable) return true
  const tag = el.tagName.toLowerCase()
  if (tag === 'textarea' || tag === 'select') return true
  if (tag === 'input') {
    const type = (el as HTMLInputElement).type
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(type)
  }
  return false
}
