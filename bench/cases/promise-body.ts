/** The task bodies as functions for the Promise-based peers: sync, or W2 `await null` first. */
import { type Body, w2Promise } from "../workloads.js"

export type PromiseTask = (i: number) => void | Promise<void>

export const promiseTask = (body: Body): PromiseTask => {
  if (body.failing) throw new Error(`the Promise peers do not run the failing body (${body.id})`)
  return body.async ? w2Promise : body.sync
}
