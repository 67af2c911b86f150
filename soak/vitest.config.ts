import { defineProject, mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "soak",
      include: ["**/*.test.ts"],
      testTimeout: 120_000,
      // a process of its own: the heap checks force GCs (soak.ts turns --expose-gc on at run time)
      pool: "forks"
    }
  })
)
