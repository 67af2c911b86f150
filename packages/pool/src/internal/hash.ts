/**
 * FNV-1a 32-bit hash of the UTF-8 encoding of `key` (as go-pkgz routes keys), without allocating.
 *
 * @internal
 */
export const fnv1a32 = (key: string): number => {
  let h = 0x811c9dc5
  const n = key.length
  for (let i = 0; i < n; i++) {
    let c = key.charCodeAt(i)
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193)
      continue
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = key.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
        i++
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd // lone surrogate: TextEncoder writes U+FFFD
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193)
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193)
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193)
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193)
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193)
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), 0x01000193)
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), 0x01000193)
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193)
      h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193)
    }
  }
  return h >>> 0
}

/**
 * The worker index of `key` in a pool of `workers`: FNV-1a-32(UTF-8 key) mod workers.
 *
 * @internal
 */
export const workerForKey = (key: string, workers: number): number => fnv1a32(key) % workers
