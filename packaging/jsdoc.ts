/**
 * The API reference's rules, checked fast enough for `npm test` (`npm run docs` builds the
 * reference with `@effect/docgen`, which also runs the examples):
 *
 * - every export of a public module (`packages/<name>/src/*.ts`) carries JSDoc with `@since`,
 *   `@category` and an `@example` (docgen itself does not require `@category`);
 * - every example type-checks, with the repository's compiler options (`noUnusedLocals` off:
 *   examples declare things to show them), each example a module of its own. The examples are
 *   checked in memory, as if they were files in `packaging/`, so nothing is written.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import ts from "typescript"
import { packages, repoRoot } from "./build.js"

export interface Export {
  /** `packages/<name>/src/<Module>.ts` */
  readonly file: string
  readonly line: number
  readonly name: string
  readonly since: string | undefined
  readonly category: string | undefined
  readonly examples: ReadonlyArray<string>
}

/** The public modules: `src/*.ts` of every package (`src/internal` is not public). */
export const publicModules = (): Array<string> =>
  packages.flatMap((name) => {
    const src = path.join("packages", name, "src")
    return fs.readdirSync(path.join(repoRoot, src))
      .filter((f) => f.endsWith(".ts"))
      .sort()
      .map((f) => path.join(src, f))
  })

const exportedNames = (statement: ts.Statement): Array<string> => {
  if (ts.isExportDeclaration(statement)) {
    const clause = statement.exportClause
    if (clause === undefined) return ["*"]
    if (ts.isNamespaceExport(clause)) return [clause.name.text]
    return clause.elements.map((e) => e.name.text)
  }
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined
  if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) !== true) return []
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((d) => d.name.getText())
  }
  if (
    ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)
  ) {
    return [statement.name?.text ?? "default"]
  }
  return ["?"]
}

/** The `@example` blocks of a JSDoc comment: the code of their ```ts fences. */
const examplesOf = (comment: string): Array<string> => {
  const lines = comment.split("\n").map((l) => l.replace(/^\s*\/?\*+\/?\s?/, "").replace(/\s*\*\/$/, ""))
  const out: Array<string> = []
  let inExample = false
  let code: Array<string> | undefined
  for (const line of lines) {
    if (code !== undefined) {
      if (/^```\s*$/.test(line)) {
        out.push(code.join("\n") + "\n")
        code = undefined
      } else code.push(line)
      continue
    }
    if (line.startsWith("@")) inExample = line.startsWith("@example")
    if (inExample && /^```(ts|typescript)\s*$/.test(line)) code = []
  }
  return out
}

/** Every export of the public modules, with what its JSDoc says. */
export const listExports = (): Array<Export> =>
  publicModules().flatMap((file) => {
    const text = fs.readFileSync(path.join(repoRoot, file), "utf8")
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
    return source.statements.flatMap((statement) => {
      const names = exportedNames(statement)
      if (names.length === 0) return []
      // the comment right before the export (at the top of a file, the module's comment comes first)
      const ranges = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []
      const jsdoc = ranges.filter((r) => text.startsWith("/**", r.pos)).at(-1)
      const comment = jsdoc === undefined ? "" : text.slice(jsdoc.pos, jsdoc.end)
      const line = source.getLineAndCharacterOfPosition(statement.getStart()).line + 1
      return names.map((name) => ({
        file,
        line,
        name,
        since: /@since\s+(\S+)/.exec(comment)?.[1],
        category: /@category\s+(\S.*)/.exec(comment)?.[1]?.trim(),
        examples: examplesOf(comment)
      }))
    })
  })

/** Type-checks every example; returns the diagnostics, formatted, with the export they belong to. */
export const typeCheckExamples = (all: ReadonlyArray<Export>): Array<string> => {
  const config = ts.readConfigFile(path.join(repoRoot, "tsconfig.json"), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot)
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noUnusedLocals: false,
    noUnusedParameters: false,
    noEmit: true,
    moduleDetection: ts.ModuleDetectionKind.Force
  }
  const dir = path.join(repoRoot, "packaging", ".jsdoc-examples")
  const virtual = new Map<string, { readonly text: string; readonly origin: string }>()
  for (const e of all) {
    e.examples.forEach((text, i) => {
      const module = path.basename(e.file, ".ts")
      const pkg = e.file.split(path.sep)[1]
      // the line keeps names apart that differ only in case (`poolSeries`, `PoolSeries`): the
      // compiler host treats file names case-insensitively on such file systems
      virtual.set(path.join(dir, `${pkg}-${module}-${e.line}-${e.name}-${i}.ts`), {
        text,
        origin: `${e.file}:${e.line} (${e.name}, example ${i + 1})`
      })
    })
  }
  const host = ts.createCompilerHost(options)
  const { fileExists, getSourceFile, readFile } = host
  host.fileExists = (f) => virtual.has(path.resolve(f)) || fileExists.call(host, f)
  host.readFile = (f) => virtual.get(path.resolve(f))?.text ?? readFile.call(host, f)
  host.getSourceFile = (f, language, onError, shouldCreate) => {
    const v = virtual.get(path.resolve(f))
    return v === undefined
      ? getSourceFile.call(host, f, language, onError, shouldCreate)
      : ts.createSourceFile(f, v.text, language, true)
  }
  const program = ts.createProgram([...virtual.keys()], options, host)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ")
    if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${message}`
    const v = virtual.get(path.resolve(d.file.fileName))
    const { character, line } = d.file.getLineAndCharacterOfPosition(d.start)
    const where = v === undefined
      ? `${path.relative(repoRoot, d.file.fileName)}:${line + 1}:${character + 1}`
      : `${v.origin}, line ${line + 1}`
    return `${where}: error TS${d.code}: ${message}`
  })
}
