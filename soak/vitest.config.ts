import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "soak",
    include: ["**/*.test.ts"],
    testTimeout: 120_000,
    // a process of its own: the heap checks force GCs (soak.ts turns --expose-gc on at run time)
    pool: "forks"
  }
})
