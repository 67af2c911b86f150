/**
 * Type-checks every ```ts (or ```typescript) block of the documentation, so the docs cannot rot.
 *
 *   npm run check:docs            # README.md, packages/*\/README.md, examples/**, bench/README.md, docs/*.md
 *   npm run check:docs -- FILE…   # only these markdown files
 *
 * Each block becomes a module of its own under `.docs-check/` (inside the repo, so `effect` and the
 * `@fiberpool/*` workspace packages resolve as they do for users) and all of them are checked in
 * one TypeScript program with the repo's compiler options (strict, exactOptionalPropertyTypes,
 * NodeNext), except `noUnusedLocals`/`noUnusedParameters`: snippets declare things to show them.
 *
 * A markdown file reads top to bottom, so two rules let snippets stay short:
 * - imports carry over: a block also sees the imports of the earlier blocks of the same file (its
 *   own imports and declarations win);
 * - a block with no import of its own continues the block before it: it sees that block's
 *   declarations (e.g. `Stats.format(stats)` right after the block that made `stats`).
 *
 * A block preceded by `<!-- no-check -->` is skipped: only for deliberately partial snippets.
 * Exit code 1 and a `file:line` per error when a block does not compile. The generated files are
 * removed after a clean run and kept after a failed one, for inspection.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const outDir = path.join(root, ".docs-check")

// ---------------------------------------------------------------------------------------------
// markdown files and their blocks
// ---------------------------------------------------------------------------------------------

const listReadmes = (): Array<string> => {
  const files = ["README.md", "examples/README.md", "bench/README.md"]
  const docs = path.join(root, "docs")
  if (fs.existsSync(docs)) {
    for (const name of fs.readdirSync(docs).sort()) if (name.endsWith(".md")) files.push(`docs/${name}`)
  }
  for (const dir of ["packages", "examples"]) {
    const abs = path.join(root, dir)
    if (!fs.existsSync(abs)) continue
    for (const entry of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && entry.name !== "node_modules") files.push(`${dir}/${entry.name}/README.md`)
    }
  }
  return files.filter((f) => fs.existsSync(path.join(root, f)))
}

interface Block {
  readonly file: string
  /** 1-based index among the file's ts blocks */
  readonly index: number
  /** 1-based markdown line of the block's first code line */
  readonly line: number
  readonly code: string
  readonly skip: boolean
}

const extractBlocks = (file: string, text: string): Array<Block> => {
  const lines = text.split(/\r?\n/)
  const blocks: Array<Block> = []
  let index = 0
  let i = 0
  while (i < lines.length) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!)
    if (open === null) {
      i++
      continue
    }
    const fence = open[2]!
    const lang = open[3]!.toLowerCase()
    const start = i + 1
    let end = start
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`)
    while (end < lines.length && !close.test(lines[end]!)) end++
    if (lang === "ts" || lang === "typescript") {
      let prev = i - 1
      while (prev >= 0 && lines[prev]!.trim() === "") prev--
      const skip = prev >= 0 && /^<!--\s*no-check\s*-->$/.test(lines[prev]!.trim())
      blocks.push({ file, index: ++index, line: start + 1, code: lines.slice(start, end).join("\n"), skip })
    }
    i = end + 1
  }
  return blocks
}

// ---------------------------------------------------------------------------------------------
// building one module per block
// ---------------------------------------------------------------------------------------------

interface Binding {
  readonly local: string
  readonly text: string
}

/** The import bindings of a block, one import declaration per binding. */
const importsOf = (source: ts.SourceFile): Array<Binding> => {
  const out: Array<Binding> = []
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || statement.importClause === undefined) continue
    const from = statement.moduleSpecifier.getText(source)
    const clause = statement.importClause
    const typeOnly = clause.isTypeOnly ? "type " : ""
    if (clause.name !== undefined) {
      out.push({ local: clause.name.text, text: `import ${typeOnly}${clause.name.text} from ${from}` })
    }
    const named = clause.namedBindings
    if (named === undefined) continue
    if (ts.isNamespaceImport(named)) {
      out.push({ local: named.name.text, text: `import ${typeOnly}* as ${named.name.text} from ${from}` })
    } else {
      for (const element of named.elements) {
        const imported = element.propertyName?.getText(source) ?? element.name.text
        const type = typeOnly === "" && element.isTypeOnly ? "type " : ""
        out.push({
          local: element.name.text,
          text: `import ${typeOnly}{ ${type}${imported} as ${element.name.text} } from ${from}`
        })
      }
    }
  }
  return out
}

/** Names a block binds at top level (imports and declarations). */
const boundNames = (source: ts.SourceFile): Set<string> => {
  const names = new Set<string>()
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text)
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) addBinding(element.name)
  }
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) continue
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) addBinding(d.name)
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) &&
      statement.name !== undefined && ts.isIdentifier(statement.name)
    ) {
      names.add(statement.name.text)
    }
  }
  for (const b of importsOf(source)) names.add(b.local)
  return names
}

interface Generated {
  readonly block: Block
  readonly fileName: string
  /** generated line (0-based) → markdown line (1-based), for the lines that come from markdown */
  readonly lineMap: Map<number, { readonly file: string; readonly line: number }>
  /** first generated line (0-based) of the block's own code */
  readonly ownStart: number
}

const generate = (blocks: ReadonlyArray<Block>): Array<Generated> => {
  const out: Array<Generated> = []
  // per markdown file: the import bindings seen so far, and the chain the next block may continue
  let file = ""
  let inherited = new Map<string, string>()
  let chain: Array<{ readonly text: string; readonly file: string; readonly line: number }> = []
  for (const block of blocks) {
    if (block.file !== file) {
      file = block.file
      inherited = new Map()
      chain = []
    }
    if (block.skip) continue
    const source = ts.createSourceFile("block.ts", block.code, ts.ScriptTarget.ES2022, true)
    const own = importsOf(source)
    const body = block.code.split("\n").map((text, i) => ({ text, file: block.file, line: block.line + i }))
    // a block without imports continues the previous one
    const continued = own.length === 0 ? chain : []
    const prelude = continued.map((l) => l.text).join("\n")
    const preludeNames = boundNames(ts.createSourceFile("prelude.ts", prelude, ts.ScriptTarget.ES2022, true))
    const ownNames = boundNames(source)
    const header: Array<string> = []
    for (const [local, text] of inherited) {
      if (!ownNames.has(local) && !preludeNames.has(local)) header.push(text)
    }
    const lines: Array<string> = [`// ${block.file}, block ${block.index} (line ${block.line})`, ...header]
    const lineMap = new Map<number, { readonly file: string; readonly line: number }>()
    for (const l of continued) {
      lineMap.set(lines.length, { file: l.file, line: l.line })
      lines.push(l.text)
    }
    const ownStart = lines.length
    for (const l of body) {
      lineMap.set(lines.length, { file: l.file, line: l.line })
      lines.push(l.text)
    }
    lines.push("export {}", "")
    const dir = path.join(outDir, block.file.replace(/[\\/]/g, "__"))
    const fileName = path.join(dir, `block-${String(block.index).padStart(2, "0")}.ts`)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(fileName, lines.join("\n"))
    out.push({ block, fileName, lineMap, ownStart })
    for (const b of own) inherited.set(b.local, b.text)
    // the chain a following import-less block continues: this block's non-import code and what it continued
    const withoutImports = body.filter((_, i) => !isImportLine(source, i))
    chain = [...continued, ...withoutImports]
  }
  return out
}

/** Whether 0-based line `i` of the block belongs to an import declaration. */
const isImportLine = (source: ts.SourceFile, i: number): boolean =>
  source.statements.some((s) => {
    if (!ts.isImportDeclaration(s)) return false
    const from = source.getLineAndCharacterOfPosition(s.getStart(source)).line
    const to = source.getLineAndCharacterOfPosition(s.getEnd()).line
    return i >= from && i <= to
  })

// ---------------------------------------------------------------------------------------------
// type-check
// ---------------------------------------------------------------------------------------------

const compilerOptions = (): ts.CompilerOptions => {
  const configPath = path.join(root, "tsconfig.json")
  const config = ts.readConfigFile(configPath, ts.sys.readFile)
  if (config.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, "\n"))
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root)
  return { ...parsed.options, noUnusedLocals: false, noUnusedParameters: false, noEmit: true }
}

const main = (): number => {
  const requested = process.argv.slice(2)
  const files = requested.length > 0 ? requested.map((f) => path.relative(root, path.resolve(f))) : listReadmes()
  const blocks = files.flatMap((f) => extractBlocks(f, fs.readFileSync(path.join(root, f), "utf8")))
  const skipped = blocks.filter((b) => b.skip)
  fs.rmSync(outDir, { recursive: true, force: true })
  const generated = generate(blocks)
  if (generated.length === 0) {
    console.log(`check-docs: no TypeScript blocks in ${files.join(", ")}`)
    return 0
  }

  const program = ts.createProgram(generated.map((g) => g.fileName), compilerOptions())
  const byFile = new Map(generated.map((g) => [path.resolve(g.fileName), g]))
  const reported = new Set<string>()
  const failedBlocks = new Set<Generated>()
  const messages: Array<string> = []
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")
    const g = diagnostic.file === undefined ? undefined : byFile.get(path.resolve(diagnostic.file.fileName))
    if (g === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      const where = diagnostic.file === undefined ? "" : `${path.relative(root, diagnostic.file.fileName)}: `
      messages.push(`${where}error TS${diagnostic.code}: ${text}`)
      continue
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
    // errors in the code a block continues are reported on the block they belong to
    if (line < g.ownStart && g.lineMap.has(line)) continue
    const origin = g.lineMap.get(line)
    const where = origin === undefined
      ? `${g.block.file}:${g.block.line} (block ${g.block.index}, in the imports carried over from earlier blocks)`
      : `${origin.file}:${origin.line} (block ${g.block.index})`
    const key = `${where}|${diagnostic.code}|${text}`
    if (reported.has(key)) continue
    reported.add(key)
    failedBlocks.add(g)
    messages.push(`${where}: error TS${diagnostic.code}: ${text}\n    generated: ${path.relative(root, g.fileName)}`)
  }

  const summary = `${generated.length} block(s) in ${files.length} file(s)` +
    (skipped.length > 0
      ? `, ${skipped.length} skipped (no-check: ${skipped.map((b) => `${b.file}:${b.line}`).join(", ")})`
      : "")
  if (messages.length > 0) {
    for (const m of messages) console.error(m)
    console.error(`\ncheck-docs: ${failedBlocks.size} of ${summary} failed to type-check`)
    return 1
  }
  fs.rmSync(outDir, { recursive: true, force: true })
  console.log(`check-docs: ${summary}: all type-check`)
  return 0
}

process.exitCode = main()
