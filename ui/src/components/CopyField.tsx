// CopyField: a read-only value with a Copy button. navigator.clipboard only
// exists on secure origins, and self-hosted servers often run on plain http,
// so it falls back to selecting the text and execCommand('copy').

import { useRef, useState } from 'react'
import { Icon } from './Icon'

export function CopyField({ label, value, multiline = false }: { label: string; value: string; multiline?: boolean }) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null)
  const [copied, setCopied] = useState(false)

  const copy = async () => {
    let ok = false
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(value)
        ok = true
      }
    } catch {
      ok = false
    }
    if (!ok && ref.current) {
      ref.current.select()
      ok = document.execCommand('copy')
    }
    setCopied(ok)
    if (ok) setTimeout(() => setCopied(false), 1500)
  }

  return (
    <div className="copy-field">
      <label className="field-label">{label}</label>
      <div className="copy-row">
        {multiline ? (
          <textarea ref={ref} readOnly value={value} rows={3} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        ) : (
          <input ref={ref} readOnly value={value} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        )}
        <button type="button" className="btn btn-small" onClick={copy}>
          <Icon name="copy" size={16} /> {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  )
}
