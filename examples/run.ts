/**
 * `npm run example -- <name> [args...]`: runs `examples/<name>/main.ts` in a child process (Node
 * with tsx), forwarding stdio and the exit code. `--help` or no name lists the examples.
 *
 * Ctrl-C in a terminal reaches the example directly (it is in the same process group) and the
 * example shuts down cleanly; this runner ignores SIGINT meanwhile and reports the example's exit
 * code. A SIGTERM sent to the runner is passed on to the example.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const examplesDir = path.dirname(fileURLToPath(import.meta.url))

/** The examples: every directory with a `main.ts`, with the first line of its README. */
const examples = (): Array<{ readonly name: string; readonly summary: string }> =>
  fs.readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(examplesDir, entry.name, "main.ts")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const readme = path.join(examplesDir, name, "README.md")
      const summary = fs.existsSync(readme)
        ? (fs.readFileSync(readme, "utf8").split("\n").find((line) => line.trim() !== "" && !line.startsWith("#")) ??
          "")
        : ""
      return { name, summary: summary.trim().replace(/`/g, "") }
    })

const list = (): string => {
  const all = examples()
  const width = Math.max(...all.map((e) => e.name.length))
  return [
    "Usage: npm run example -- <name> [args...]     (npm start runs the demo)",
    "",
    "Examples:",
    ...all.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`),
    "",
    "Most examples take options; see examples/<name>/README.md."
  ].join("\n")
}

const [name, ...rest] = process.argv.slice(2)
if (name === undefined || name === "--help" || name === "-h") {
  console.log(list())
  process.exit(name === undefined ? 1 : 0)
}
const main = path.join(examplesDir, name, "main.ts")
if (!/^[\w-]+$/.test(name) || !fs.existsSync(main)) {
  console.error(`Unknown example "${name}".\n\n${list()}`)
  process.exit(1)
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
const child = spawn(process.execPath, ["--import", tsx, main, ...rest], { stdio: "inherit" })

process.on("SIGINT", () => {
  // the terminal sent it to the example as well: let it shut down and report its exit code
})
process.on("SIGTERM", () => child.kill("SIGTERM"))

child.on("exit", (code, signal) => {
  if (signal !== null) {
    console.error(`example "${name}" was killed by ${signal}`)
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : signal === "SIGKILL" ? 9 : 1))
  }
  process.exit(code ?? 1)
})
