// SpeedMenu sets the playback rate; the button shows the current one.

import { PlayerMenu } from './PlayerMenu'

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2]

export function speedLabel(r: number): string {
  return r === 1 ? 'Normal' : `${r}×`
}

export function SpeedMenu({ rate, onSelect }: { rate: number; onSelect: (r: number) => void }) {
  return (
    <PlayerMenu
      options={SPEEDS.map((r) => ({ value: r, label: speedLabel(r) }))}
      selected={rate}
      onSelect={onSelect}
      label={`Speed: ${speedLabel(rate)}`}
      title="Playback speed"
      testId="speed-button"
      button={<span>{`${rate}×`}</span>}
    />
  )
}
