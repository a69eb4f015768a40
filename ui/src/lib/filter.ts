// Client-side matching of titles, descriptions and tags. The server also filters with ?q=, but matching
// here too keeps typing responsive and works with servers that ignore q.

import type { Video } from './api'

export function matchesQuery(v: Video, q: string): boolean {
  const needle = q.trim().toLowerCase()
  if (!needle) return true
  return [v.title ?? '', v.description ?? '', ...(v.tags ?? [])].some((s) => s.toLowerCase().includes(needle))
}
