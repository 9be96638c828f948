#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so that a newcomer's
// `npm start` needs no separate build step and a second start does not rebuild.
const { statSync, readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { execSync } = require('node:child_process');

const root = join(__dirname, '..');
const marker = join(root, 'dist', 'standalone.js');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(
  newestMtime(join(root, 'src')),
  newestMtime(join(root, 'migrations')),
  statSync(join(root, 'package.json')).mtimeMs,
);
if (existsSync(marker) && statSync(marker).mtimeMs >= sources) process.exit(0);

console.log('Building Foundry Hub (first start or sources changed)…');
execSync('npm run --silent build', { cwd: root, stdio: 'inherit' });
