// FormActions is the submit row of a settings form: the button, which says
// it is busy while the request runs, and the answer beside it (a status
// when it worked, an alert when it did not).

export interface FormMessage {
  ok: boolean
  text: string
}

export function FormActions({
  label,
  busyLabel,
  busy,
  disabled = false,
  message,
}: {
  label: string
  busyLabel: string
  busy: boolean
  disabled?: boolean
  message?: FormMessage | null
}) {
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn-primary" disabled={busy || disabled}>
        {busy ? busyLabel : label}
      </button>
      {message && (
        <span className={message.ok ? 'ok' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </span>
      )}
    </div>
  )
}
