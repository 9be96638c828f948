import { execFileSync } from 'node:child_process';

/** Debian packages that provide commands some tests run. */
const TOOLS: { command: string; pkg: string; why: string }[] = [
  { command: 'chromium', pkg: 'chromium', why: 'the scan pages are tested in a headless browser' },
  { command: 'xmllint', pkg: 'libxml2-utils', why: 'MaiML documents are validated against the official XSDs' },
  { command: 'redis-server', pkg: 'redis-server', why: 'the queue recovery test restarts a Redis of its own' },
];

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure the test run has its system tools: missing ones are installed with apt when the
 * run may (root on Debian, as on the project's machines and in CI); otherwise the run stops at
 * once with the command to run, instead of failing later in the middle of a test file.
 */
export function ensureSystemTools(): void {
  const missing = TOOLS.filter((tool) => !has(tool.command));
  if (!missing.length) return;
  const packages = missing.map((tool) => tool.pkg);
  const canInstall = process.getuid?.() === 0 && has('apt-get');
  if (canInstall) {
    console.log(`\nInstalling ${packages.join(', ')} for the tests (${missing.map((tool) => tool.why).join('; ')})…`);
    const install = () => execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    try {
      install();
    } catch {
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      install();
    }
    return;
  }
  throw new Error(`The tests need ${packages.join(' and ')} (${missing.map((tool) => tool.why).join('; ')}): run  sudo apt-get install ${packages.join(' ')}`);
}
