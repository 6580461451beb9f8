import type { SimConfig } from './config.js';
import { simulatable, simulatableKinds } from './curve-kinds.js';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Rules of the `sim` section that span fields, which the field schemas cannot state: every
 * regime named by the switching rule exists, no regime activates more rivals than exist,
 * token symbols and venue names are unique, and every venue's curve can be simulated.
 */
export function crossFieldProblems(sim: SimConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const regimes = Object.keys(sim.rivals.regimes);
  if (regimes.length === 0) add(['rivals', 'regimes'], 'at least one regime is required');
  for (const [name, regime] of Object.entries(sim.rivals.regimes)) {
    if (regime.activeRivals > sim.rivals.population)
      add(
        ['rivals', 'regimes', name, 'activeRivals'],
        `exceeds rivals.population (${sim.rivals.population})`,
      );
  }
  const sw = sim.rivals.switching;
  const named =
    sw.mode === 'markov'
      ? [{ name: sw.initial, path: ['rivals', 'switching', 'initial'] }]
      : sw.schedule.map((s, i) => ({
          name: s.regime,
          path: ['rivals', 'switching', 'schedule', i, 'regime'],
        }));
  for (const { name, path } of named) {
    if (!regimes.includes(name))
      add(path, `unknown regime "${name}"; known: ${regimes.join(', ')}`);
  }
  const duplicates = (values: string[], path: string[], field: string) => {
    values.forEach((v, i) => {
      if (values.indexOf(v) !== i) add([...path, i, field], `duplicate ${field} "${v}"`);
    });
  };
  duplicates(
    sim.market.tokens.map((t) => t.symbol),
    ['market', 'tokens'],
    'symbol',
  );
  sim.market.venues.forEach((v, i) => {
    if (v.curve !== undefined && !simulatable(v.curve))
      add(
        ['market', 'venues', i, 'curve'],
        `${v.curve} pools cannot be simulated yet (no simulated pool for that venue); use one of ${simulatableKinds().join(', ')}`,
      );
  });
  duplicates(
    sim.market.venues.map((v) => v.name),
    ['market', 'venues'],
    'name',
  );
  return problems;
}
