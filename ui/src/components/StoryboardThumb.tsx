// StoryboardThumb crops one tile out of the storyboard sprite sheet with
// background-position, scaled to a fixed width whatever the tile size.

import type { StoryboardCue } from '../lib/storyboard'

export function StoryboardThumb({ cue, width }: { cue: StoryboardCue; width: number }) {
  const scale = cue.w > 0 ? width / cue.w : 1
  return (
    <div className="storyboard-thumb" style={{ width, height: cue.h * scale }} data-testid="storyboard-thumb">
      <div
        style={{
          width: cue.w,
          height: cue.h,
          backgroundImage: `url("${cue.url.replace(/"/g, '%22')}")`,
          backgroundPosition: `${-cue.x}px ${-cue.y}px`,
          transform: `scale(${scale})`,
          transformOrigin: '0 0',
        }}
      />
    </div>
  )
}
