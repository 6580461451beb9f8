import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's python3 (with python3-protobuf); a pyenv python3 earlier on PATH may lack it. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** What a cross-language protobuf test needs and this machine lacks (empty: run it). */
export const pythonProtobufMissing: readonly string[] = [
  spawnSync('protoc', ['--version']).status === 0 ? undefined : 'protoc (protobuf-compiler)',
  spawnSync(PYTHON, ['-c', 'import google.protobuf']).status === 0 ? undefined : 'python3-protobuf',
].filter((m) => m !== undefined);

/** A describe title that says why it is skipped, when it is. */
export function pythonTitle(title: string): string {
  const missing = pythonProtobufMissing;
  return missing.length > 0 ? `${title} (skipped: ${missing.join(' and ')} not installed)` : title;
}

/** `protoc -I <root> --python_out=<out> <files…>`: Python modules for the .proto files. */
export function protocPython(root: string, files: readonly string[], out: string): void {
  execFileSync('protoc', ['-I', root, `--python_out=${out}`, ...files]);
}

/**
 * Runs `script` with Debian's python3, `dir` first on sys.path (where protoc wrote), and
 * returns its standard output's lines. Input lines are given on standard input.
 */
export function runPython(dir: string, name: string, script: string, input = ''): string[] {
  const file = join(dir, name);
  writeFileSync(file, `import sys\nsys.path.insert(0, ${JSON.stringify(dir)})\n${script}`);
  return execFileSync(PYTHON, [file], { encoding: 'utf8', input }).trim().split('\n');
}
