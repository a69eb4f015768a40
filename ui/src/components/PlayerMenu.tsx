// PlayerMenu is the player's pop-up choice list (quality, audio, captions,
// speed): a button that shows the current choice and a menu of radio items.

import { useCallback, useRef, useState, type ReactNode } from 'react'
import { useDismiss } from '../lib/useDismiss'

export type MenuOption<T extends number> = { value: T; label: string; lang?: string }

export function PlayerMenu<T extends number>({
  options,
  selected,
  onSelect,
  button,
  buttonClass = '',
  label,
  title,
  testId,
  menuTestId,
  itemData,
}: {
  options: MenuOption<T>[]
  selected: T
  onSelect: (value: T) => void
  button: ReactNode
  buttonClass?: string
  label?: string // aria-label of the button and the menu
  title?: string
  testId: string
  menuTestId?: string
  itemData?: string // items carry data-<itemData>={value} for tests and scripts
}) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const close = useCallback(() => setOpen(false), [])
  useDismiss(open, root, close)

  return (
    <div className="quality" ref={root}>
      <button
        type="button"
        className={`ctl ctl-text${buttonClass ? ` ${buttonClass}` : ''}`}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={label}
        title={title}
        data-testid={testId}
        onClick={() => setOpen((o) => !o)}
      >
        {button}
      </button>
      {open && (
        <ul className="quality-menu" role="menu" aria-label={title} data-testid={menuTestId}>
          {options.map((o) => (
            <li key={o.value}>
              <button
                type="button"
                role="menuitemradio"
                {...(itemData ? { [`data-${itemData}`]: o.value } : {})}
                lang={o.lang || undefined}
                aria-checked={selected === o.value}
                className={selected === o.value ? 'checked' : ''}
                onClick={() => {
                  onSelect(o.value)
                  close()
                }}
              >
                {o.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
