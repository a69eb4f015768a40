// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { QualityMenu } from './QualityMenu'

const levels = [
  { height: 360, bitrate: 800_000 },
  { height: 720, bitrate: 2_500_000 },
]

describe('QualityMenu', () => {
  it('is hidden with a single level', () => {
    const { container } = render(<QualityMenu levels={[levels[0]]} selected={-1} playing={0} onSelect={() => {}} />)
    expect(container.innerHTML).toBe('')
  })

  it('shows the playing level under Auto and selects a level', () => {
    const onSelect = vi.fn()
    render(<QualityMenu levels={levels} selected={-1} playing={0} onSelect={onSelect} />)
    const button = screen.getByTestId('quality-button')
    expect(button.textContent).toBe('Auto (360p)')
    fireEvent.click(button)
    const items = screen.getAllByRole('menuitemradio')
    expect(items.map((i) => i.textContent)).toEqual(['Auto', '720p', '360p'])
    expect(items[0].getAttribute('aria-checked')).toBe('true')
    fireEvent.click(screen.getByText('720p'))
    expect(onSelect).toHaveBeenCalledWith(1)
    expect(screen.queryByRole('menu')).toBeNull()
  })
})
