// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { SpeedMenu } from './SpeedMenu'
import { CaptionsMenu } from './CaptionsMenu'

describe('PlayerMenu', () => {
  it('closes on Escape and on a press outside, keeping the choice', () => {
    const onSelect = vi.fn()
    render(
      <div>
        <p>outside</p>
        <SpeedMenu rate={1} onSelect={onSelect} />
      </div>,
    )
    const button = screen.getByTestId('speed-button')
    fireEvent.click(button)
    expect(button.getAttribute('aria-expanded')).toBe('true')
    expect(screen.getByRole('menuitemradio', { name: 'Normal' }).getAttribute('aria-checked')).toBe('true')
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('menu')).toBeNull()

    fireEvent.click(button)
    fireEvent.pointerDown(screen.getByText('outside'))
    expect(screen.queryByRole('menu')).toBeNull()
    expect(onSelect).not.toHaveBeenCalled()
  })

  it('marks captions on and tags items with their track', () => {
    const onSelect = vi.fn()
    render(<CaptionsMenu tracks={[{ name: 'English', lang: 'en' }]} selected={0} onSelect={onSelect} />)
    const button = screen.getByTestId('captions-button')
    expect(button.className).toContain('is-on')
    fireEvent.click(button)
    expect(screen.getByTestId('captions-menu').getAttribute('aria-label')).toBe('Captions')
    fireEvent.click(screen.getByRole('menuitemradio', { name: 'Off' }))
    expect(onSelect).toHaveBeenCalledWith(-1)
  })
})
