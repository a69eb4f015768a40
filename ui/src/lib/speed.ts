// Upload speed from progress callbacks. tus-js-client reports bytes sent in
// bursts, so an exponentially weighted average keeps the speed and time-left
// readouts from jumping around.

export class SpeedMeter {
  private lastBytes = 0
  private lastTime = 0
  private rate = 0 // bytes per second
  private readonly halfLifeMs: number

  constructor(halfLifeMs = 2000) {
    this.halfLifeMs = halfLifeMs
  }

  /** reset starts over, e.g. after resuming, so the pause does not count as slow. */
  reset(bytes: number, now: number): void {
    this.lastBytes = bytes
    this.lastTime = now
    this.rate = 0
  }

  /** sample records that `bytes` in total had been sent at time `now` (ms). */
  sample(bytes: number, now: number): void {
    if (this.lastTime === 0) {
      this.reset(bytes, now)
      return
    }
    const dt = now - this.lastTime
    if (dt < 200) return // too short an interval to measure anything
    const inst = ((bytes - this.lastBytes) * 1000) / dt
    const alpha = this.rate === 0 ? 1 : 1 - Math.pow(0.5, dt / this.halfLifeMs)
    this.rate = this.rate + alpha * (inst - this.rate)
    this.lastBytes = bytes
    this.lastTime = now
  }

  get bytesPerSecond(): number {
    return Math.max(0, this.rate)
  }

  /** etaSeconds is undefined until there is a speed to divide by. */
  etaSeconds(remainingBytes: number): number | undefined {
    return this.rate > 0 ? remainingBytes / this.rate : undefined
  }
}
