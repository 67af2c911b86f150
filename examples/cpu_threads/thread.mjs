// The body of one worker thread of the cpu_threads example (plain JavaScript: the thread needs no
// TypeScript loader). It answers each message `{ id, limit }` with `{ id, primes }`; the `id`
// lets the caller tell an answer to an item it gave up on (interrupted) from the next one's. An
// item whose id the caller writes to `workerData.abandoned` (shared memory) stops early. A
// negative limit (`--crash`) ends the thread with exit code 1, as a crash would.
import process from "node:process"
import { parentPort, workerData } from "node:worker_threads"
import { countPrimes } from "./primes.mjs"

/** @type {Int32Array} */
const abandoned = workerData.abandoned

parentPort.on("message", ({ id, limit }) => {
  if (limit < 0) process.exit(1)
  parentPort.postMessage({ id, primes: countPrimes(limit, () => Atomics.load(abandoned, 0) === id) })
})
