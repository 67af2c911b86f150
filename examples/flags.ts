/**
 * The examples' command-line flags: `node:util`'s `parseArgs`, plus `--help` (`-h`), which prints
 * the example's usage line and exits 0, and a clear message for a flag it does not know, one
 * without its value, or a number that is not one (the usage line again, exit code 2) instead of
 * `parseArgs`'s stack trace or a run with `NaN`. A string flag whose default is a number (`"64"`,
 * `"0.3"`) is a number: its value must be one too (`Number` of it finite); the example converts it.
 */
import { parseArgs, type ParseArgsConfig } from "node:util"

type Options = NonNullable<ParseArgsConfig["options"]>
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>[
  "values"
]

const isNumber = (text: string) => text.trim() !== "" && Number.isFinite(Number(text))

export const flags = <const O extends Options>(
  /** what follows `npm run example --`: the example's name and its flags with their defaults */
  usage: string,
  options: O
): Values<O> => {
  const argv = process.argv.slice(2)
  const fail = (message: string): never => {
    console.error(`${message}\nUsage: npm run example -- ${usage}`)
    return process.exit(2)
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(`Usage: npm run example -- ${usage}`)
    process.exit(0)
  }
  let values: Values<O>
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
  for (const [name, option] of Object.entries(options)) {
    const value: unknown = (values as Record<string, unknown>)[name]
    if (
      typeof option.default === "string" && isNumber(option.default) && typeof value === "string" && !isNumber(value)
    ) {
      fail(`Option '--${name}' takes a number, got '${value}'`)
    }
  }
  return values
}
