// Unmount rendered components between tests (Testing Library only does this
// by itself when test globals are enabled). Node-environment tests skip it.
import { afterEach } from 'vitest'

if (typeof document !== 'undefined') {
  // findBy*/waitFor give up after 1 s by default; on a busy 2-core machine a
  // re-render after a mocked request took longer (LibraryPage, UsersPage).
  const { configure } = await import('@testing-library/react')
  configure({ asyncUtilTimeout: 5000 })
}

afterEach(async () => {
  if (typeof document === 'undefined') return
  const { cleanup } = await import('@testing-library/react')
  cleanup()
})
