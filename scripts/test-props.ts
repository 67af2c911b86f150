/**
 * `npm run test:props [-- --runs N] [vitest options]`: the property tests of the pool with N
 * generated runs per property (200 by default, as in CI). `--runs N` becomes FIBERPOOL_PROP_RUNS;
 * everything else goes to vitest (e.g. `-t "<property name>"`).
 */
import { spawnSync } from "node:child_process"
import { createRequire } from "node:module"

const args = process.argv.slice(2)
const env = { ...process.env }
const rest: Array<string> = []
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!
  if (arg === "--runs" || arg.startsWith("--runs=")) {
    const value = arg === "--runs" ? args[++i] : arg.slice("--runs=".length)
    if (value === undefined || !/^[1-9][0-9]*$/.test(value)) {
      console.error(
        `test:props: --runs needs a positive integer, got ${value === undefined ? "nothing" : JSON.stringify(value)}`
      )
      process.exit(2)
    }
    env.FIBERPOOL_PROP_RUNS = value
  } else {
    rest.push(arg)
  }
}
const vitest = createRequire(import.meta.url).resolve("vitest/vitest.mjs")
const result = spawnSync(
  process.execPath,
  [vitest, "run", "--project", "@fiberpool/pool", "test/properties.test.ts", ...rest],
  { stdio: "inherit", env }
)
process.exit(result.status ?? 1)
