// Unmount rendered components between tests (Testing Library only does this
// by itself when test globals are enabled). Node-environment tests skip it.
import { afterEach } from 'vitest'

afterEach(async () => {
  if (typeof document === 'undefined') return
  const { cleanup } = await import('@testing-library/react')
  cleanup()
})
