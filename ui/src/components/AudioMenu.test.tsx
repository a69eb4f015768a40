// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { audioOptions } from '../lib/audioTracks'
import { AudioMenu } from './AudioMenu'

describe('audioOptions', () => {
  it('labels by name, then language, then position, numbering duplicates', () => {
    expect(audioOptions([{ name: 'English', lang: 'en' }, { name: '', lang: 'fr' }, { name: '' }, { name: 'English' }]).map((o) => o.label)).toEqual([
      'English',
      'fr',
      'Track 3',
      'English (2)',
    ])
  })
})

describe('AudioMenu', () => {
  it('is hidden with one track', () => {
    const { container } = render(<AudioMenu tracks={[{ name: 'English' }]} current={0} onSelect={() => undefined} />)
    expect(container.innerHTML).toBe('')
  })

  it('shows the playing track and selects another', () => {
    const onSelect = vi.fn()
    render(<AudioMenu tracks={[{ name: 'English', lang: 'en' }, { name: 'Français', lang: 'fr' }]} current={0} onSelect={onSelect} />)
    const button = screen.getByTestId('audio-button')
    expect(button.textContent).toBe('English')
    fireEvent.click(button)
    const items = screen.getAllByRole('menuitemradio')
    expect(items.map((i) => i.getAttribute('aria-checked'))).toEqual(['true', 'false'])
    expect(items[1].getAttribute('lang')).toBe('fr')
    fireEvent.click(items[1])
    expect(onSelect).toHaveBeenCalledWith(1)
  })

  it('renders hostile names as text', () => {
    render(<AudioMenu tracks={[{ name: '<img src=x onerror=alert(1)>' }, { name: 'B' }]} current={0} onSelect={() => undefined} />)
    expect(screen.getByTestId('audio-button').textContent).toBe('<img src=x onerror=alert(1)>')
    expect(document.querySelector('img')).toBeNull()
  })
})
