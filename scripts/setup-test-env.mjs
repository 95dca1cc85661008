#!/usr/bin/env node
// `npm test` runs this first (the `pretest` script): it finds or installs every system part the
// suites use, so the README's test command passes on a fresh machine by itself and no suite skips
// because a part is missing. Parts come from Debian's packages, installed with apt-get when we are
// root; otherwise it stops and says what to install.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The system parts: what needs it, the Debian package, the executables that satisfy it and the
 * environment variable that may point at another copy.
 */
const PARTS = [
  {
    name: 'Chromium',
    usedBy: 'the HTML report tests (tests/integration/dashboards/html.test.ts, through playwright-core)',
    debianPackage: 'chromium',
    executables: ['chromium', 'chromium-browser'],
    envVar: 'CHROMIUM_PATH',
  },
  {
    name: 'Redis',
    usedBy: 'the shared budget store tests (tests/integration/fleet/redis-*.test.ts, a real redis-server)',
    debianPackage: 'redis-server',
    executables: ['redis-server'],
    envVar: 'REDIS_SERVER_PATH',
  },
];

/** The absolute path of an executable on PATH, or undefined. */
function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Where the part is, from its environment variable or PATH; undefined when missing. */
function locate(part) {
  const fromEnv = process.env[part.envVar];
  if (fromEnv) return fromEnv;
  for (const exe of part.executables) {
    const found = which(exe);
    if (found) return found;
  }
  return undefined;
}

/** Runs a command quietly; its output is shown only when it fails. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0)
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}\n`);
  return r.status === 0;
}

const missing = PARTS.filter((p) => locate(p) === undefined);
if (missing.length === 0) process.exit(0);

const packages = missing.map((p) => p.debianPackage);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !which('apt-get')) {
  console.error('setup-test-env: the tests need parts this machine does not have:');
  for (const p of missing) {
    console.error(`  ${p.name}, for ${p.usedBy}: install Debian's \`${p.debianPackage}\` or set ${p.envVar}`);
  }
  console.error(
    `  run \`sudo apt-get install -y ${packages.join(' ')}\` (or your system's equivalent), then \`npm test\` again`,
  );
  process.exit(1);
}

for (const p of missing) {
  console.log(
    `setup-test-env: ${p.name} is missing (${p.usedBy}); installing Debian's \`${p.debianPackage}\``,
  );
}
console.log(`setup-test-env: apt-get update && apt-get install -y ${packages.join(' ')}`);
if (!run('apt-get', ['update', '-qq']) || !run('apt-get', ['install', '-y', '-qq', ...packages])) {
  console.error(
    `setup-test-env: apt-get could not install ${packages.join(' ')}; install it and run \`npm test\` again`,
  );
  process.exit(1);
}
const still = missing.filter((p) => locate(p) === undefined);
if (still.length > 0) {
  console.error(
    `setup-test-env: installed, but cannot find ${still.map((p) => p.executables[0]).join(', ')} on PATH`,
  );
  process.exit(1);
}
console.log('setup-test-env: ready');
