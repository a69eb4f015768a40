// Choice is a <select> over a list of labelled values: roles, sign-up
// modes, visibilities. One place to render the options.

import type { SelectHTMLAttributes } from 'react'

export interface Option<T extends string> {
  value: T
  label: string
}

type Props<T extends string> = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & {
  value: T
  options: readonly Option<T>[]
  onChange: (value: T) => void
}

export function Choice<T extends string>({ value, options, onChange, className = 'input select', ...rest }: Props<T>) {
  return (
    <select {...rest} className={className} value={value} onChange={(e) => onChange(e.target.value as T)}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  )
}
