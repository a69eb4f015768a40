// CopyField: a read-only value with a Copy button (see copyText for the
// plain-http fallback). display, when given, is shown instead of the value
// (a masked secret); Copy still copies the real value.

import { useRef, useState } from 'react'
import { copyText } from '../lib/clipboard'
import { Icon } from './Icon'

export function CopyField({
  label,
  value,
  display,
  multiline = false,
}: {
  label: string
  value: string
  display?: string
  multiline?: boolean
}) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null)
  const [copied, setCopied] = useState(false)

  const copy = async () => {
    const ok = await copyText(value, ref.current)
    setCopied(ok)
    if (ok) setTimeout(() => setCopied(false), 1500)
  }

  return (
    <div className="copy-field">
      <label className="field-label">{label}</label>
      <div className="copy-row">
        {multiline ? (
          <textarea ref={ref} readOnly value={display ?? value} rows={3} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        ) : (
          <input ref={ref} readOnly value={display ?? value} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        )}
        <button type="button" className="btn btn-small" onClick={copy} title={`Copy ${label}`}>
          <Icon name="copy" size={16} /> {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}
