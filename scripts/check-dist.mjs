#!/usr/bin/env node
// Fails the build when a CommonJS file in dist/ holds syntax that only ESM allows (import.meta,
// import/export statements, top-level await): Node would refuse to require() it. Each .cjs file is
// compiled exactly as Node's CommonJS loader wraps it, so every ESM-only construct is caught, not
// only the ones a text search knows about. And when a JavaScript file in dist/ is not ASCII-only
// (tsup.config.ts escapes what esbuild leaves): Node would read it as two-byte text, slower to load.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = readdirSync(dist).filter((f) => f.endsWith('.cjs'));
const failures = [];
for (const f of files) {
  const file = join(dist, f);
  try {
    compileFunction(readFileSync(file, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], {
      filename: file,
    });
  } catch (e) {
    failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
if (files.length === 0) failures.push(`${dist}: no .cjs files (did the build run?)`);
for (const f of readdirSync(dist).filter((n) => /\.(c|m)?js$/.test(n))) {
  const at = readFileSync(join(dist, f)).findIndex((byte) => byte > 0x7f);
  if (at >= 0) failures.push(`${join(dist, f)}: a non-ASCII byte at offset ${at}`);
}
if (failures.length > 0) {
  console.error(`check-dist: ${failures.length} problem(s) in dist/:`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`check-dist: ${files.length} CommonJS files compile as CommonJS`);
