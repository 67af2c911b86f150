/**
 * The packaging check: proves that the packages as published work, not the workspace.
 *
 * 1. Copies the workspace's packages to a temporary directory and builds them there with
 *    `packaging/build.ts` (the same build as `npm run build`; a copy, so concurrent test runs and
 *    the work tree's own `dist/` never interfere).
 * 2. Packs each package with `npm pack` and checks what the tarball holds.
 * 3. Lints each tarball with publint (every message, suggestions included, fails) and with
 *    Are the Types Wrong (`attw`, profile strict: node10, node16 CJS and ESM, bundler).
 * 4. Installs the three tarballs and the workspace's `effect` (from the registry) into a fresh
 *    project, then runs a program through them as ES modules and as CommonJS, and type-checks a
 *    TypeScript program against the published `.d.ts` from an `.mts` (ESM) and a `.cts` (CJS) file.
 *
 *   npx tsx packaging/smoke.ts [--keep]    # --keep: leave the temporary directory for inspection
 *
 * `packaging/smoke.test.ts` runs it under `npm test`.
 */
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { build, packages, repoRoot } from "./build.js"

const require = createRequire(import.meta.url)

export interface Step {
  readonly name: string
  readonly seconds: number
}

export interface Tarball {
  readonly name: string
  readonly file: string
  readonly files: ReadonlyArray<string>
  readonly size: number
  readonly unpackedSize: number
}

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface Report {
  readonly dir: string
  readonly effectVersion: string
  readonly tarballs: ReadonlyArray<Tarball>
  /** publint's messages per package, formatted; empty when clean */
  readonly publint: Record<string, ReadonlyArray<string>>
  /** attw's exit code and output per package */
  readonly attw: Record<string, Run>
  /** the installed packages: name → version, and paths of any nested (duplicated) copy */
  readonly installed: {
    readonly versions: Record<string, string>
    readonly nested: ReadonlyArray<string>
  }
  readonly esm: Run
  readonly cjs: Run
  readonly types: Run
  readonly steps: ReadonlyArray<Step>
}

// ---------------------------------------------------------------------------------------------
// processes
// ---------------------------------------------------------------------------------------------

const exec = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<Run> =>
  new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      resolve({ code, stdout, stderr })
    })
  })

const mustExec = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  const run = await exec(command, args, cwd, npmEnv)
  if (run.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${run.code}) in ${cwd}:\n${run.stdout}\n${run.stderr}`)
  }
  return run.stdout
}

/**
 * The environment of npm and of the consumer's programs: without the settings of the npm process
 * that may have started us (`npm test` exports its config, `local_prefix` included) and without
 * NODE_OPTIONS (a test runner's loader options must not reach a user's program).
 */
const npmEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) =>
    !/^npm_(config|package|lifecycle)_/i.test(key) && key !== "NODE_OPTIONS"
  )
)

/** The npm CLI: the one running us when started by npm, else `npm` from PATH. */
const npm = (args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  const cli = process.env.npm_execpath
  return cli !== undefined && /npm-cli\.js$/.test(cli)
    ? mustExec(process.execPath, [cli, ...args], cwd)
    : mustExec("npm", args, cwd)
}

// ---------------------------------------------------------------------------------------------
// staging and packing
// ---------------------------------------------------------------------------------------------

const skipped = new Set(["node_modules", "dist", "docs", "test"])

/** A copy of the workspace's root tsconfig and packages, resolving `effect` from the repository. */
const stage = (ws: string): void => {
  fs.mkdirSync(ws, { recursive: true })
  fs.copyFileSync(path.join(repoRoot, "tsconfig.json"), path.join(ws, "tsconfig.json"))
  const modules = path.join(ws, "node_modules")
  fs.mkdirSync(path.join(modules, "@fiberpool"), { recursive: true })
  for (const name of ["effect", "@types"]) {
    fs.symlinkSync(path.join(repoRoot, "node_modules", name), path.join(modules, name))
  }
  for (const name of packages) {
    const from = path.join(repoRoot, "packages", name)
    const to = path.join(ws, "packages", name)
    fs.cpSync(from, to, {
      recursive: true,
      filter: (source) => !skipped.has(path.relative(from, source).split(path.sep)[0]!)
    })
    fs.symlinkSync(to, path.join(modules, "@fiberpool", name), "dir")
  }
}

interface PackJson {
  readonly name: string
  readonly filename: string
  readonly size: number
  readonly unpackedSize: number
  readonly files: ReadonlyArray<{ readonly path: string }>
}

const pack = async (dir: string, destination: string): Promise<Tarball> => {
  const out = await npm(["pack", "--json", "--pack-destination", destination], dir)
  const info = (JSON.parse(out) as ReadonlyArray<PackJson>)[0]!
  return {
    name: info.name,
    file: path.join(destination, info.filename),
    files: info.files.map((f) => f.path).sort(),
    size: info.size,
    unpackedSize: info.unpackedSize
  }
}

const lintWithPublint = async (tarball: Tarball): Promise<ReadonlyArray<string>> => {
  const data = fs.readFileSync(tarball.file)
  const result = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer },
    level: "suggestion",
    strict: true
  })
  return result.messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, result.pkg) ?? ""}`)
}

const attwCli = path.join(path.dirname(require.resolve("@arethetypeswrong/cli/package.json")), "dist", "index.js")

const lintWithAttw = (tarball: Tarball): Promise<Run> =>
  exec(process.execPath, [attwCli, tarball.file, "--no-definitely-typed", "--format", "ascii", "--no-color"], repoRoot)

// ---------------------------------------------------------------------------------------------
// the consumer project
// ---------------------------------------------------------------------------------------------

/** The program run as ESM and as CommonJS: every package, a middleware chain, typed errors. */
const program = (imports: string): string =>
  `${imports}

const attempts = new Map()
const workerIds = new Set()

const program = Effect.scoped(Effect.gen(function*() {
  const results = yield* Collector.make(1000)
  const pool = yield* FiberPool.make({
    workers: 4,
    batchSize: 5,
    name: "smoke",
    // the first attempt of every tenth item fails: retry rescues it
    worker: (n) => Effect.gen(function*() {
      const tries = (attempts.get(n) ?? 0) + 1
      attempts.set(n, tries)
      if (n % 10 === 0 && tries === 1) return yield* Effect.fail({ _tag: "Flaky", n })
      workerIds.add(yield* Worker.WorkerId)
      yield* Metrics.increment("done")
      yield* Metrics.add("squares", n * n)
      yield* results.submit(n * n)
    }),
    middleware: [
      Middleware.validate((n) => Number.isInteger(n)),
      Middleware.retry({ attempts: 3, baseDelay: "1 millis" }),
      Middleware.timeout("5 seconds")
    ]
  })
  const collected = yield* Effect.fork(results.all)
  yield* pool.submitAll(Array.from({ length: 100 }, (_, i) => i + 1))
  yield* pool.close
  yield* results.close
  const values = yield* Fiber.join(collected)
  const stats = yield* pool.stats
  const counters = yield* pool.metrics
  // a rejected item fails the run with the middleware's tagged error
  const rejected = yield* FiberPool.run([1, 2.5], {
    workers: 1,
    worker: () => Effect.void,
    middleware: [Middleware.validate((n) => Number.isInteger(n))]
  }).pipe(Effect.as("accepted"), Effect.catchTag("ValidationError", (e) => Effect.succeed(e._tag + ":" + e.item)))
  return {
    submitted: stats.submitted,
    processed: stats.processed,
    errors: stats.errors,
    dropped: stats.dropped,
    sum: values.reduce((a, b) => a + b, 0),
    retried: [...attempts.values()].filter((n) => n > 1).length,
    workerIds: [...workerIds].sort(),
    counters: Metrics.format(counters),
    stats: Stats.format(stats).startsWith("[processed:100, "),
    rejected,
    closedError: new FiberPool.PoolClosedError({ pool: "smoke", reason: "closed" })._tag,
    // a module imported by its subpath is the one the package's index re-exports
    subpaths: SubFiberPool.make === FiberPool.make && SubStats.format === Stats.format &&
      SubMiddleware.timeout === Middleware.timeout
  }
}))

Effect.runPromise(program).then(
  (result) => console.log(JSON.stringify({ ...result, resolved: RESOLVED })),
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
`

const esmProgram = program(`import { Collector, FiberPool, Worker } from "@fiberpool/pool"
import * as SubFiberPool from "@fiberpool/pool/FiberPool"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import * as SubStats from "@fiberpool/pool-metrics/Stats"
import { Middleware } from "@fiberpool/pool-middleware"
import * as SubMiddleware from "@fiberpool/pool-middleware/Middleware"
import { Effect, Fiber } from "effect"

const RESOLVED = ["@fiberpool/pool-metrics", "@fiberpool/pool", "@fiberpool/pool-middleware"].map((p) => import.meta.resolve(p))`)

const cjsProgram = program(`"use strict"
const { Collector, FiberPool, Worker } = require("@fiberpool/pool")
const { Metrics, Stats } = require("@fiberpool/pool-metrics")
const { Middleware } = require("@fiberpool/pool-middleware")
const SubFiberPool = require("@fiberpool/pool/FiberPool")
const SubStats = require("@fiberpool/pool-metrics/Stats")
const SubMiddleware = require("@fiberpool/pool-middleware/Middleware")
const { Effect, Fiber } = require("effect")

const RESOLVED = ["@fiberpool/pool-metrics", "@fiberpool/pool", "@fiberpool/pool-middleware"].map((p) => "file://" + require.resolve(p))`)

/** Type-checked, not run: the published declarations give real types, from ESM and from CJS. */
const typesProgram = `import { Collector, FiberPool, Worker } from "@fiberpool/pool"
import * as SubCollector from "@fiberpool/pool/Collector"
import * as SubFiberPool from "@fiberpool/pool/FiberPool"
import * as SubWorker from "@fiberpool/pool/Worker"
import { Metrics, Stats } from "@fiberpool/pool-metrics"
import * as SubMetrics from "@fiberpool/pool-metrics/Metrics"
import * as SubStats from "@fiberpool/pool-metrics/Stats"
import { Middleware } from "@fiberpool/pool-middleware"
import * as SubMiddleware from "@fiberpool/pool-middleware/Middleware"
import { Cause, Data, Effect } from "effect"

class Flaky extends Data.TaggedError("Flaky")<{ readonly n: number }> {}

const worker = Worker.make((n: number) => n < 0 ? Effect.fail(new Flaky({ n })) : Metrics.increment("ok"))

const program = FiberPool.run([1, 2, 3], { workers: 2, worker, middleware: [Middleware.timeout("1 second")] })

export const typed: Effect.Effect<Stats.Stats, Flaky | Cause.TimeoutException, never> = program
// @ts-expect-error the pool's errors are in its type
export const untyped: Effect.Effect<Stats.Stats, never, never> = program

export const handled = program.pipe(
  Effect.catchTags({ Flaky: (e) => Effect.succeed(e.n), TimeoutException: () => Effect.succeed(-1) })
)
export const noErrors: Effect.Effect<Stats.Stats | number> = handled

export const collected = Effect.scoped(Effect.flatMap(Collector.make<string>(10), (c) => c.all))
export const collectedType: Effect.Effect<ReadonlyArray<string>> = collected

// @ts-expect-error a worker that needs Scope is rejected
export const scoped = FiberPool.make({ workers: 1, worker: (_: number) => Effect.scope })

export const counters: string = Metrics.format({ a: 1 })
export const validation: Middleware.ValidationError = new Middleware.ValidationError({ item: 1, cause: "no" })

// not annotated: emitting their declarations needs every type they mention (PoolClosedError,
// Stats, Worker) to be nameable through the packages' exports (else TS2742)
export const feed = (pool: FiberPool.FiberPool<string>, items: ReadonlyArray<string>) =>
  Effect.zipRight(pool.submitAll(items), pool.close)
export const statsOf = (pool: FiberPool.FiberPool<string>) => pool.stats
export const defaultTimeout = Middleware.timeout("5 seconds")

// each module is also a subpath of its package
export const fromSubpaths: Array<unknown> = [SubFiberPool.make, SubWorker.make, SubCollector.make, SubMetrics.format, SubStats.format, SubMiddleware.timeout]
`

const consumerTsconfig = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    // the published .d.ts are checked too, not only used
    skipLibCheck: false,
    types: [],
    // as a library (or a composite project) does: every exported type must be nameable
    declaration: true,
    emitDeclarationOnly: true,
    outDir: "out"
  },
  files: ["check.mts", "check.cts"]
}

const tscCli = require.resolve("typescript/bin/tsc")

/** Finds packages installed more than once (a nested `node_modules/<name>`), by walking the tree. */
const nestedCopies = (modules: string, names: ReadonlyArray<string>): Array<string> => {
  const found: Array<string> = []
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || !fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      const full = path.join(dir, entry.name)
      if (entry.name.startsWith("@")) {
        for (const scoped of fs.readdirSync(full, { withFileTypes: true })) {
          const name = `${entry.name}/${scoped.name}`
          const pkg = path.join(full, scoped.name)
          if (depth > 0 && names.includes(name)) found.push(path.relative(modules, pkg))
          walk(path.join(pkg, "node_modules"), depth + 1)
        }
      } else {
        if (depth > 0 && names.includes(entry.name)) found.push(path.relative(modules, full))
        walk(path.join(full, "node_modules"), depth + 1)
      }
    }
  }
  walk(modules, 0)
  return found
}

// ---------------------------------------------------------------------------------------------
// the check
// ---------------------------------------------------------------------------------------------

export const smoke = async (options: { readonly keep?: boolean } = {}): Promise<Report> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fiberpool-pack-"))
  const steps: Array<Step> = []
  const timed = async <A>(name: string, f: () => Promise<A>): Promise<A> => {
    const started = performance.now()
    const result = await f()
    steps.push({ name, seconds: Math.round((performance.now() - started) / 100) / 10 })
    return result
  }
  let ok = false
  try {
    const ws = path.join(dir, "ws")
    const tarballDir = path.join(dir, "tarballs")
    fs.mkdirSync(tarballDir)
    await timed("stage", async () => stage(ws))
    await timed("build", () => build(ws))
    const tarballs = await timed("pack", async () => {
      const out: Array<Tarball> = []
      for (const name of packages) out.push(await pack(path.join(ws, "packages", name), tarballDir))
      return out
    })
    const [publintMessages, attwRuns] = await timed("publint + attw", () =>
      Promise.all([
        Promise.all(tarballs.map(lintWithPublint)),
        Promise.all(tarballs.map(lintWithAttw))
      ]))

    const effectVersion = (JSON.parse(
      fs.readFileSync(path.join(repoRoot, "node_modules", "effect", "package.json"), "utf8")
    ) as { version: string }).version
    const app = path.join(dir, "app")
    fs.mkdirSync(app)
    fs.writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify(
        {
          name: "fiberpool-smoke",
          version: "0.0.0",
          private: true,
          dependencies: {
            ...Object.fromEntries(tarballs.map((t) => [t.name, `file:${path.relative(app, t.file)}`])),
            effect: effectVersion
          }
        },
        null,
        2
      ) + "\n"
    )
    await timed(
      "npm install",
      () => npm(["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel", "error"], app)
    )
    const modules = path.join(app, "node_modules")
    const installedNames = [...packages.map((p) => `@fiberpool/${p}`), "effect"]
    const installed = {
      versions: Object.fromEntries(installedNames.map((name) => [
        name,
        (JSON.parse(fs.readFileSync(path.join(modules, name, "package.json"), "utf8")) as { version: string }).version
      ])),
      nested: nestedCopies(modules, installedNames)
    }

    fs.writeFileSync(path.join(app, "main.mjs"), esmProgram)
    fs.writeFileSync(path.join(app, "main.cjs"), cjsProgram)
    fs.writeFileSync(path.join(app, "check.mts"), typesProgram)
    fs.writeFileSync(path.join(app, "check.cts"), typesProgram)
    fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(consumerTsconfig, null, 2) + "\n")
    const [esm, cjs, types] = await timed("run ESM + CJS, type-check", () =>
      Promise.all([
        exec(process.execPath, ["main.mjs"], app, npmEnv),
        exec(process.execPath, ["main.cjs"], app, npmEnv),
        exec(process.execPath, [tscCli, "-p", "tsconfig.json"], app, npmEnv)
      ]))

    ok = true
    return {
      dir,
      effectVersion,
      tarballs,
      publint: Object.fromEntries(tarballs.map((t, i) => [t.name, publintMessages[i]!])),
      attw: Object.fromEntries(tarballs.map((t, i) => [t.name, attwRuns[i]!])),
      installed,
      esm,
      cjs,
      types,
      steps
    }
  } finally {
    if (options.keep !== true && ok) fs.rmSync(dir, { recursive: true, force: true })
    else process.stderr.write(`packaging: kept ${dir}\n`)
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now()
  smoke({ keep: process.argv.includes("--keep") }).then(
    (report) => {
      for (const t of report.tarballs) {
        console.log(
          `${path.basename(t.file)}: ${t.files.length} files, ${t.size} B packed, ${t.unpackedSize} B unpacked`
        )
      }
      for (const [name, messages] of Object.entries(report.publint)) {
        console.log(`publint ${name}: ${messages.length === 0 ? "clean" : messages.join("\n  ")}`)
      }
      for (const [name, run] of Object.entries(report.attw)) {
        console.log(`attw ${name}: exit ${run.code}${run.code === 0 ? "" : `\n${run.stdout}${run.stderr}`}`)
      }
      console.log(`installed: ${JSON.stringify(report.installed)}`)
      console.log(`ESM (exit ${report.esm.code}): ${report.esm.stdout.trim()}${report.esm.stderr}`)
      console.log(`CJS (exit ${report.cjs.code}): ${report.cjs.stdout.trim()}${report.cjs.stderr}`)
      console.log(`types (exit ${report.types.code}): ${report.types.stdout.trim() || "clean"}`)
      console.log(report.steps.map((s) => `${s.name} ${s.seconds} s`).join(" · "))
      console.log(`packaging smoke test done in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exitCode = 1
    }
  )
}
