// ProgressBar is a labelled determinate bar; `indeterminate` animates a stripe
// while the server has not reported any progress yet (queued).

export function ProgressBar({
  value,
  label,
  tone = 'accent',
  indeterminate = false,
}: {
  value: number
  label: string
  tone?: 'accent' | 'processing' | 'success' | 'danger'
  indeterminate?: boolean
}) {
  const pct = Math.round(Math.min(1, Math.max(0, value)) * 1000) / 10
  return (
    <div
      className={`progress progress-${tone}${indeterminate ? ' progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : pct}
    >
      <div className="progress-fill" style={{ width: indeterminate ? undefined : `${pct}%` }} />
    </div>
  )
}
