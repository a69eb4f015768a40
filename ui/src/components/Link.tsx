// Link is an <a> that navigates without a reload but keeps the real href, so
// middle-click and "open in new tab" still work.

import type { AnchorHTMLAttributes, MouseEvent } from 'react'
import { navigate } from '../lib/router'

export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(href)
  }
  return <a href={href} onClick={handle} {...rest} />
}
