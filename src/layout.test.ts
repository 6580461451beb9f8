import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layout's promises, checked on the sources: the agent's files form no import cycle, and
 * nothing outside `src/cli` imports the CLI (commands parse flags and print; the system is
 * composed in `src/system`).
 */
const SRC = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gen' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static `import … from`, `export … from`, dynamic `import()`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
    found.push(resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
  }
  return found;
}

const rel = (f: string) => relative(SRC, f);

describe('source layout', () => {
  const files = sources(SRC);

  it('has no import cycle between src/agent files', () => {
    const agent = files.filter((f) => rel(f).startsWith('agent/') && !f.endsWith('.test.ts'));
    const inAgent = new Set(agent);
    const edges = new Map(agent.map((f) => [f, importsOf(f).filter((i) => inAgent.has(i))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const next of edges.get(f) ?? []) visit(next, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of agent) visit(f, []);
    expect(agent.length).toBeGreaterThan(5);
    expect(cycles).toEqual([]);
  });

  it('has no folder importing the CLI', () => {
    const offenders = files
      .filter((f) => !rel(f).startsWith('cli/'))
      .flatMap((f) =>
        importsOf(f)
          .filter((i) => rel(i).startsWith('cli/'))
          .map((i) => `${rel(f)} imports ${rel(i)}`),
      );
    expect(offenders).toEqual([]);
  });
});
