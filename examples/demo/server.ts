/**
 * The demo's local web: `sites` HTTP servers on 127.0.0.1 (ephemeral ports, so each site is its own
 * host), sharing a plan of `pages` pages with varied latency, sizes and status codes. Nothing
 * leaves the machine.
 *
 * Each page is, deterministically from `seed` and its index:
 * - `ok` (about 89%): 200 after its latency, 1 KB to 64 KB of HTML;
 * - `flaky` (5%): 500 on its first one or two requests, 200 afterwards (retries rescue it);
 * - `broken` (3%): 500 on every request;
 * - `missing` (2%): 404;
 * - `hang` (1%): never answers; the client has to give up.
 */
import { Console, Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import * as http from "node:http"
import type * as net from "node:net"

export type PageKind = "ok" | "flaky" | "broken" | "missing" | "hang"

export interface Page {
  readonly path: string
  readonly kind: PageKind
  /** milliseconds before the answer */
  readonly latency: number
  /** body size in bytes */
  readonly size: number
  /** for `flaky` pages: how many requests fail before one succeeds */
  readonly failures: number
}

export interface LocalWebOptions {
  readonly pages: number
  readonly sites: number
  /** mean latency of a page, in milliseconds */
  readonly latency: number
  readonly seed: number
}

/** mulberry32: a small, good-enough PRNG, so that a seed always gives the same web. */
const prng = (seed: number) => {
  let a = seed >>> 0
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The plan of the local web: page `i` lives on site `i mod sites`. */
export const plan = (options: LocalWebOptions): ReadonlyArray<Page> =>
  Array.from({ length: options.pages }, (_, i) => {
    const random = prng(options.seed * 1_000_003 + i)
    const r = random()
    const kind: PageKind = r < 0.01 ? "hang" : r < 0.04 ? "broken" : r < 0.09 ? "flaky" : r < 0.11 ? "missing" : "ok"
    // exponential latency around the mean, at least 1 ms, at most ten times the mean
    const latency = Math.max(1, Math.min(options.latency * 10, Math.round(-Math.log(1 - random()) * options.latency)))
    const size = Math.round(1024 * Math.pow(64, random()))
    return { path: `/page/${i}`, kind, latency, size, failures: 1 + Math.floor(random() * 2) }
  })

/**
 * The running local web: the URL of every page (in plan order, sites interleaved), the sites'
 * origins, and how many requests were served.
 */
export interface Web {
  readonly urls: ReadonlyArray<string>
  readonly sites: ReadonlyArray<string>
  readonly pages: ReadonlyArray<Page>
  readonly requests: Effect.Effect<number>
}

export class LocalWeb extends Context.Tag("demo/LocalWeb")<LocalWeb, Web>() {}

const filler = Buffer.from(
  "<p>fiberpool demo page: a worker pool for Effect, fetching a local web of test pages.</p>\n"
)

const body = (page: Page): Buffer => {
  const out = Buffer.allocUnsafe(page.size)
  for (let offset = 0; offset < page.size; offset += filler.length) filler.copy(out, offset, 0, page.size - offset)
  return out
}

/** Starts the sites; closing the scope closes them, cutting the connections of hanging pages. */
export const make = (options: LocalWebOptions): Effect.Effect<Web, never, Scope.Scope> =>
  Effect.gen(function*() {
    const pages = plan(options)
    const byPath = new Map(pages.map((p) => [p.path, p]))
    const attempts = new Map<string, number>()
    const timers = new Set<NodeJS.Timeout>()
    let requests = 0

    const handler: http.RequestListener = (req, res) => {
      requests++
      const page = byPath.get(req.url ?? "")
      if (page === undefined) {
        res.writeHead(404).end()
        return
      }
      const attempt = (attempts.get(page.path) ?? 0) + 1
      attempts.set(page.path, attempt)
      if (page.kind === "hang") return // never answers: the connection is cut when the client gives up
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (res.destroyed) return
        const status = page.kind === "missing"
          ? 404
          : page.kind === "broken" || (page.kind === "flaky" && attempt <= page.failures)
          ? 500
          : 200
        const content = status === 200 ? body(page) : Buffer.from(`HTTP ${status}\n`)
        res.writeHead(status, { "content-type": "text/html", "content-length": content.length }).end(content)
      }, page.latency)
      timers.add(timer)
    }

    const listen = Effect.acquireRelease(
      Effect.async<http.Server>((resume) => {
        const server = http.createServer({ keepAlive: true }, handler)
        server.once("error", (error) => resume(Effect.die(error)))
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )

    // released in reverse order: the sites close first, then the pending answers are cancelled
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const timer of timers) clearTimeout(timer)
      }).pipe(Effect.zipRight(Console.log(`server: closed ${options.sites} local sites after ${requests} requests`)))
    )
    const servers = yield* Effect.forEach(Array.from({ length: options.sites }), () => listen)
    const sites = servers.map((server) => `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`)
    return {
      urls: pages.map((page, i) => `${sites[i % sites.length]}${page.path}`),
      sites,
      pages,
      requests: Effect.sync(() => requests)
    }
  })

/** The local web as a layer: it lives, and serves, as long as the layer. */
export const layer = (options: LocalWebOptions): Layer.Layer<LocalWeb> => Layer.scoped(LocalWeb, make(options))
