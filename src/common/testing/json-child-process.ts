import { spawn } from 'node:child_process';

/**
 * Test support: runs a Node script in a child process with `input` as JSON on stdin and
 * resolves with the JSON it prints. Used for ESM-only tools with top-level await (MuPDF),
 * which Jest's CommonJS module system cannot load in-process. Not used by the application.
 */
export function runJsonScript<T>(script: string, input: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} exited with ${code}: ${Buffer.concat(stderr).toString()}`));
      try {
        resolve(JSON.parse(Buffer.concat(stdout).toString('utf8')) as T);
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
