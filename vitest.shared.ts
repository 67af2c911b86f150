/**
 * Shared by the vitest projects that import the `@fiberpool/*` packages in-process: resolve them to
 * their sources through the `@fiberpool/source` export condition, so tests need no build step (the
 * published `exports` point at `dist/`). See CONTRIBUTING.md.
 */
import { defaultServerConditions } from "vite"
import type { ViteUserConfig } from "vitest/config"

export const sourceCondition = "@fiberpool/source"

const conditions = [sourceCondition, ...defaultServerConditions]

const config: ViteUserConfig = {
  resolve: { conditions },
  ssr: { resolve: { conditions } }
}

export default config
