// CaptionsMenu turns captions off or picks a track, as hls.js lists them
// from the master playlist's SUBTITLES group.

import { CAPTIONS_OFF, type SubtitleInfo } from '../lib/captions'
import { PlayerMenu } from './PlayerMenu'

export function CaptionsMenu({
  tracks,
  selected,
  onSelect,
}: {
  tracks: SubtitleInfo[]
  selected: number
  onSelect: (track: number) => void
}) {
  if (tracks.length === 0) return null
  const options = [{ value: CAPTIONS_OFF, label: 'Off' }, ...tracks.map((t, i) => ({ value: i, label: t.name || t.lang || `Track ${i + 1}` }))]
  return (
    <PlayerMenu
      options={options}
      selected={selected}
      onSelect={onSelect}
      buttonClass={selected !== CAPTIONS_OFF ? 'is-on' : ''}
      label="Captions"
      title="Captions"
      testId="captions-button"
      menuTestId="captions-menu"
      itemData="track"
      button={<span className="cc-badge">CC</span>}
    />
  )
}
