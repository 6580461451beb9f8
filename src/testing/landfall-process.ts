import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TS_CHILD_ARGS } from './ts-child.js';

const CLI_MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

/**
 * `landfall <args>` in a child process, from the TypeScript sources: no build needed, and
 * never a stale dist/. Logs (JSON lines on stderr) are kept so a test can wait for one.
 */
export class LandfallProcess {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>> = [];
  /** Everything the command printed on stdout. */
  stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = '';

  constructor(args: string[], env: Record<string, string>, cwd: string) {
    const entry =
      `const { main } = await import(${JSON.stringify(CLI_MAIN)});` +
      `process.exitCode = await main(['node', 'landfall', ...process.argv.slice(1)]);`;
    this.child = spawn(
      process.execPath,
      [...TS_CHILD_ARGS, '--input-type=module', '-e', entry, '--', ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.#read(chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  #read(text: string): void {
    this.#stderr += text;
    const lines = this.#stderr.split('\n');
    this.#stderr = lines.pop() ?? '';
    for (const line of lines) {
      try {
        this.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.logs.push({ msg: line });
      }
    }
  }

  /** Resolves when a log line with this message appears; rejects if the process exits first. */
  async waitForLog(msg: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.logs.some((l) => l.msg === msg)) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        const tail = this.logs.slice(-5).map((l) => JSON.stringify(l));
        throw new Error(
          `landfall never logged "${msg}" (exit ${this.child.exitCode}); last logs: ${tail.join(' | ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async kill(
    signal: NodeJS.Signals,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
