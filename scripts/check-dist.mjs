#!/usr/bin/env node
// Fails the build when a CommonJS file in dist/ holds syntax that only ESM allows (import.meta,
// import/export statements, top-level await): Node would refuse to require() it. Each .cjs file is
// compiled exactly as Node's CommonJS loader wraps it, so every ESM-only construct is caught, not
// only the ones a text search knows about.
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
if (failures.length > 0) {
  console.error(`check-dist: ${failures.length} CommonJS file(s) cannot be loaded by require():`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`check-dist: ${files.length} CommonJS files compile as CommonJS`);
