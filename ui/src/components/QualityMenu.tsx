// QualityMenu lets the viewer pin a rendition or go back to Auto. The button
// shows what is playing, so "Auto (480p)" explains a blurry picture.

import { qualityButtonLabel, qualityOptions, type LevelInfo } from '../lib/quality'
import { Icon } from './Icon'
import { PlayerMenu } from './PlayerMenu'

export function QualityMenu({
  levels,
  selected,
  playing,
  onSelect,
}: {
  levels: LevelInfo[]
  selected: number
  playing: number
  onSelect: (level: number) => void
}) {
  if (levels.length < 2) return null
  return (
    <PlayerMenu
      options={qualityOptions(levels)}
      selected={selected}
      onSelect={onSelect}
      testId="quality-button"
      itemData="level"
      button={
        <>
          <Icon name="settings" size={18} />
          <span>{qualityButtonLabel(levels, selected, playing)}</span>
        </>
      }
    />
  )
}
