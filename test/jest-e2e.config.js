// One Jest run for everything: pure unit tests beside the code, e2e tests against a real
// PostgreSQL (DATABASE_URL, or an embedded one started by the global setup) and a real queue.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const rootDir = join(__dirname, '..');

/**
 * NestJS 12 and some of its dependencies ship ES modules only. Node loads them with
 * require(esm), but Jest's module system (before Node 24.9) cannot, so SWC compiles exactly
 * those packages to CommonJS; every other package is loaded untouched.
 */
function esmOnlyPackages() {
  const modules = join(rootDir, 'node_modules');
  const names = [];
  const consider = (name) => {
    const manifest = join(modules, name, 'package.json');
    if (!existsSync(manifest)) return;
    try {
      if (JSON.parse(readFileSync(manifest, 'utf8')).type === 'module') names.push(name);
    } catch {
      /* not a package */
    }
  };
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) readdirSync(join(modules, entry)).forEach((scoped) => consider(`${entry}/${scoped}`));
    else consider(entry);
  }
  return names;
}

const swcOptions = (syntax) => ({
  jsc: {
    parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
});

const esm = esmOnlyPackages().map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));

const common = {
  rootDir,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions('typescript')],
    '^.+\\.m?js$': ['@swc/jest', swcOptions('ecmascript')],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  testEnvironment: 'node',
};

module.exports = {
  ...common,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], slowTestThreshold: 20 },
  ],
};
