export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const min = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => Math.min(a, b), Infinity)
export const max = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => Math.max(a, b), -Infinity)
