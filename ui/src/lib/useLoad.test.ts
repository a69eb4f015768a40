// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { errorText } from './errors'
import { useLoad } from './useLoad'

describe('useLoad', () => {
  it('loads again when its deps change, and a success clears the last error', async () => {
    const { result, rerender } = renderHook(({ n }) => useLoad((_signal) => (n === 1 ? Promise.reject(new Error('down')) : Promise.resolve(n * 10)), [n]), {
      initialProps: { n: 1 },
    })
    await waitFor(() => expect(errorText(result.current[1])).toBe('down'))
    expect(result.current[0]).toBeUndefined()
    rerender({ n: 2 })
    await waitFor(() => expect(result.current[0]).toBe(20))
    expect(result.current[1]).toBeUndefined()
    act(() => result.current[2]((v) => (v ?? 0) + 1)) // the page's own edit
    expect(result.current[0]).toBe(21)
  })

  it('aborts the load before and reports nothing of it', async () => {
    const signals: AbortSignal[] = []
    const { result, rerender } = renderHook(
      ({ n }) =>
        useLoad(
          (signal) =>
            new Promise<number>((resolve, reject) => {
              signals.push(signal)
              if (n === 2) resolve(2)
              else signal.addEventListener('abort', () => reject(new Error('aborted')))
            }),
          [n],
        ),
      { initialProps: { n: 1 } },
    )
    rerender({ n: 2 })
    await waitFor(() => expect(result.current[0]).toBe(2))
    expect(signals[0].aborted).toBe(true)
    expect(result.current[1]).toBeUndefined()
  })

  it('keeps what a newer load gave when an older one, which ignores its signal, ends after it', async () => {
    let finishFirst: (v: number) => void = () => {}
    const { result, rerender } = renderHook(
      ({ n }) => useLoad((_signal) => (n === 1 ? new Promise<number>((resolve) => (finishFirst = resolve)) : Promise.resolve(2)), [n]),
      { initialProps: { n: 1 } },
    )
    rerender({ n: 2 })
    await waitFor(() => expect(result.current[0]).toBe(2))
    await act(async () => finishFirst(1))
    expect(result.current[0]).toBe(2)
  })

  it('says nothing for no error, the message of an Error, else the fallback', () => {
    expect(errorText(undefined)).toBe('')
    expect(errorText('plain')).toBe('plain')
    expect(errorText(new Error('down'), 'The request failed.')).toBe('down')
    expect(errorText({ status: 500 }, 'The request failed.')).toBe('The request failed.')
  })
})
