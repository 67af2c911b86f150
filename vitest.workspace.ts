import { defineProject, mergeConfig } from "vitest/config"
import shared from "./vitest.shared.js"

const projects = ["packages/*", "examples", "bench", "soak", "packaging"]

export default [
  ...projects,
  // test files anywhere else in the repository (a new folder of checks, a reviewer's script), with
  // the packages resolved to their sources like the projects above: `npx vitest run <file>` runs them
  mergeConfig(
    shared,
    defineProject({
      test: {
        name: "repository",
        include: ["**/*.test.ts"],
        exclude: [
          ...projects.map((p) => `${p.replace("/*", "")}/**`),
          "**/node_modules/**",
          "**/dist/**",
          ".scratch/**"
        ]
      }
    })
  )
]
