// copyText puts text on the clipboard. navigator.clipboard only exists on
// secure origins, and self-hosted servers often run on plain http, so it
// falls back to selecting a field and execCommand('copy').

export async function copyText(text: string, fallback?: HTMLInputElement | HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall through to the selection fallback
  }
  if (!fallback) return false
  // The field may show a masked value: put the real one in for the copy.
  const shown = fallback.value
  fallback.value = text
  fallback.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  fallback.value = shown
  return ok
}
