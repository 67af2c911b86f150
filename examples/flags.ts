/**
 * The examples' command-line flags: `node:util`'s `parseArgs`, plus `--help` (`-h`), which prints
 * the example's usage line and exits 0, and a clear message for a flag it does not know or one
 * without its value (the usage line again, exit code 2) instead of `parseArgs`'s stack trace.
 */
import { parseArgs, type ParseArgsConfig } from "node:util"

type Options = NonNullable<ParseArgsConfig["options"]>

export const flags = <const O extends Options>(
  /** what follows `npm run example --`: the example's name and its flags with their defaults */
  usage: string,
  options: O
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>["values"] => {
  const argv = process.argv.slice(2)
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(`Usage: npm run example -- ${usage}`)
    process.exit(0)
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\nUsage: npm run example -- ${usage}`)
    process.exit(2)
  }
}
