/**
 * errorText is an error's message for the page: '' for no error, the
 * message of an Error (ApiError's is the server's sentence), else fallback
 * or the value as text.
 */
export function errorText(e: unknown, fallback?: string): string {
  if (e === undefined) return ''
  if (e instanceof Error) return e.message
  return fallback ?? String(e)
}
