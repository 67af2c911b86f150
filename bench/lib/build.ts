/**
 * Bundles `bench/case.ts` (and, through it, the cases, fiberpool's sources and the libraries) into
 * plain JS with esbuild, so a run starts in a fraction of a second and its RSS is not inflated by a
 * TypeScript loader (`node --import tsx` alone costs ~3 s and ~150 MiB per process here). esbuild is
 * the transformer `tsx` itself uses (a dependency of tsx, no extra package). Falls back to
 * `node --import tsx bench/case.ts` when it cannot be loaded.
 */
import * as fs from "node:fs"
import * as path from "node:path"

export interface Runner {
  /** Command and leading arguments: append `<case-id> <N> ...`. */
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** `args` without the Node flags: the script part (to add other flags before it). */
  readonly script: ReadonlyArray<string>
  readonly description: string
  /** The bundle, for mapping profiles back to sources. */
  readonly bundle: string | undefined
}

export const benchDir = path.resolve(import.meta.dirname, "..")
export const rootDir = path.resolve(benchDir, "..")
export const buildDir = path.join(benchDir, ".build")

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0) // signal 0: only checks that the process exists
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Removes the bundles of harness processes that are gone (each run bundles into its own folder). */
const removeStale = (): void => {
  if (!fs.existsSync(buildDir)) return
  for (const name of fs.readdirSync(buildDir)) {
    const pid = Number(name)
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) {
      fs.rmSync(path.join(buildDir, name), { recursive: true, force: true })
    }
  }
}

/**
 * Bundles into `bench/.build/<pid>/<tag>/` (removed when this process exits), so concurrent harness runs
 * (a smoke test during a full run) never replace each other's code, and one run measures one
 * version of the pool even if its sources change meanwhile.
 */
export const buildRunner = async (
  nodeFlags: ReadonlyArray<string> = [],
  options: {
    /** Bundle these import paths from elsewhere (esbuild `alias`): another version of the pool. */
    readonly alias?: Record<string, string> | undefined
    /** A subfolder of this process's build folder, for a second bundle in the same run. */
    readonly tag?: string | undefined
  } = {}
): Promise<Runner> => {
  const entry = path.join(benchDir, "case.ts")
  try {
    const esbuild = await import("esbuild")
    removeStale()
    const ownDir = path.join(buildDir, String(process.pid))
    const outdir = path.join(ownDir, options.tag ?? "main")
    fs.rmSync(outdir, { recursive: true, force: true })
    process.on("exit", () => fs.rmSync(ownDir, { recursive: true, force: true }))
    await esbuild.build({
      ...(options.alias === undefined ? {} : { alias: options.alias }),
      entryPoints: [entry],
      outdir,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "linked",
      logLevel: "warning",
      // keep function names readable in profiles
      minify: false,
      keepNames: false
    })
    const bundle = path.join(outdir, "case.mjs")
    return {
      command: process.execPath,
      args: ["--expose-gc", ...nodeFlags, bundle],
      script: [bundle],
      description: `node --expose-gc bench/.build/<pid>/${
        options.tag ?? "main"
      }/case.mjs (esbuild ${esbuild.version} bundle of bench/case.ts)`,
      bundle
    }
  } catch (error) {
    // another version of the pool can only be bundled
    if (options.alias !== undefined) throw error
    process.stderr.write(`esbuild bundle failed, running through tsx instead: ${String(error)}\n`)
    return {
      command: process.execPath,
      args: ["--expose-gc", ...nodeFlags, "--import", "tsx", entry],
      script: ["--import", "tsx", entry],
      description: "node --expose-gc --import tsx bench/case.ts",
      bundle: undefined
    }
  }
}
