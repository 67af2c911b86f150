import { defineProject } from "vitest/config"

export default defineProject({
  test: {
    name: "packaging",
    include: ["*.test.ts"],
    // builds, packs, installs from the registry: about 30 s on 2 cores, more when the suite runs
    // beside it
    testTimeout: 240_000,
    hookTimeout: 240_000
  }
})
