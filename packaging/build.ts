/**
 * `npm run build`: builds every package to `dist/` (see CONTRIBUTING.md, "Packaging"):
 *
 * - `dist/esm`: ES modules, `.d.ts`, source maps and declaration maps (`tsconfig.build.json`);
 * - `dist/cjs`: CommonJS with its own `.d.ts` (`tsconfig.build.cjs.json`), marked by a
 *   `dist/cjs/package.json` of `{ "type": "commonjs" }` (the packages are `"type": "module"`).
 *
 * Packages build in dependency order (a package type-checks against the `dist/` of the packages it
 * depends on, as its users will); the ESM and CommonJS builds of one package run side by side.
 *
 *   tsx packaging/build.ts [ROOT]   # ROOT: a copy of the workspace (the packaging test builds one)
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The publishable packages, dependencies first. */
export const packages = ["pool-metrics", "pool", "pool-middleware"] as const

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

const run = (cwd: string, args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, ...args], { cwd, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve()
      else reject(new Error(`tsc ${args.join(" ")} failed in ${cwd}:\n${stdout}${stderr}`))
    })
  })

/** Builds the package in `dir` (`packages/<name>`) to `dir/dist`. */
export const buildPackage = async (dir: string): Promise<void> => {
  const dist = path.join(dir, "dist")
  fs.rmSync(dist, { recursive: true, force: true })
  await Promise.all([
    run(dir, ["-p", "tsconfig.build.json"]),
    run(dir, ["-p", "tsconfig.build.cjs.json"])
  ])
  fs.writeFileSync(path.join(dist, "cjs", "package.json"), JSON.stringify({ type: "commonjs" }, null, 2) + "\n")
}

/** Builds every package of the workspace at `root`. */
export const build = async (root: string = repoRoot): Promise<void> => {
  for (const name of packages) await buildPackage(path.join(root, "packages", name))
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? repoRoot)
  const started = performance.now()
  build(root).then(
    () => console.log(`built ${packages.join(", ")} in ${((performance.now() - started) / 1000).toFixed(1)} s`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exitCode = 1
    }
  )
}
