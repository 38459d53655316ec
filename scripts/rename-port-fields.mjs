#!/usr/bin/env node
/**
 * Codemod (issue 15): renames the snake_case fields of the checkpoint port types (Checkpoint, Sweep in
 * src/core/ports/checkpoint-store.ts) to camelCase with TypeScript's own rename, so only references
 * to those properties change: API wire parameters, log fields and stored attribute names that share
 * the spelling are other symbols and stay. Idempotent: a field already renamed is skipped.
 *
 *   node scripts/rename-port-fields.mjs        # rewrite the files in place
 *   npx tsc -p tsconfig.json --noEmit          # what the rename could not see (untyped literals)
 *
 * Kept so that a branch merged after the rename can be brought over by running it again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PORT = resolve(root, 'src/core/ports/checkpoint-store.ts');
/** interface -> fields to rename. */
const FIELDS = {
  Sweep: ['newest_id', 'until_id', 'next_token'],
  Checkpoint: ['schema_version', 'since_id', 'user_id', 'recent_ids', 'fair_lag', 'updated_at'],
};
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

const config = ts.getParsedCommandLineOfConfigFile(
  resolve(root, 'tsconfig.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  },
);
const files = new Map(config.fileNames.map((f) => [f, { version: 0, text: readFileSync(f, 'utf8') }]));
const host = {
  getScriptFileNames: () => [...files.keys()],
  getScriptVersion: (f) => String(files.get(f)?.version ?? 0),
  getScriptSnapshot: (f) => {
    const text = files.get(f)?.text ?? (ts.sys.fileExists(f) ? ts.sys.readFile(f) : undefined);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => root,
  getCompilationSettings: () => config.options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists,
  readFile: ts.sys.readFile,
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());

/** The position of `field`'s name in `iface`'s declaration, or undefined when it is not there (done). */
function declaration(iface, field) {
  const source = service.getProgram().getSourceFile(PORT);
  let at;
  source.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === iface) {
      for (const member of node.members) {
        if (member.name && ts.isIdentifier(member.name) && member.name.text === field)
          at = member.name.getStart();
      }
    }
  });
  return at;
}

let total = 0;
for (const [iface, fields] of Object.entries(FIELDS)) {
  for (const field of fields) {
    const at = declaration(iface, field);
    if (at === undefined) continue;
    const locations =
      service.findRenameLocations(PORT, at, false, false, { providePrefixAndSuffixTextForRename: true }) ??
      [];
    const byFile = new Map();
    for (const loc of locations) byFile.set(loc.fileName, [...(byFile.get(loc.fileName) ?? []), loc]);
    for (const [fileName, locs] of byFile) {
      const entry = files.get(fileName);
      let text = entry.text;
      for (const loc of locs.sort((a, b) => b.textSpan.start - a.textSpan.start)) {
        const replacement = `${loc.prefixText ?? ''}${camel(field)}${loc.suffixText ?? ''}`;
        text =
          text.slice(0, loc.textSpan.start) +
          replacement +
          text.slice(loc.textSpan.start + loc.textSpan.length);
      }
      files.set(fileName, { version: entry.version + 1, text });
      writeFileSync(fileName, text);
    }
    total += locations.length;
    console.log(
      `${iface}.${field} -> ${camel(field)}: ${locations.length} references in ${byFile.size} files`,
    );
  }
}
console.log(`${total} references renamed`);
