import { Module as ProtoModule } from '../gen/landfall/v1/jobs_pb.js';
import type { Module } from '../market/types.js';

const TO_PROTO: Readonly<Record<Module, ProtoModule>> = {
  arb: ProtoModule.ARBITRAGE,
  mev: ProtoModule.MEV,
};

/** The proto `Module` of a domain module (`arb` → ARBITRAGE, `mev` → MEV). */
export function toProtoModule(module: Module): ProtoModule {
  return TO_PROTO[module];
}

/**
 * The domain module of a proto `Module`, or undefined for a number the enum does not name
 * (proto3 enums are open): each caller decides what such a value means to it.
 */
export function fromProtoModule(module: ProtoModule): Module | undefined {
  switch (module) {
    case ProtoModule.ARBITRAGE:
      return 'arb';
    case ProtoModule.MEV:
      return 'mev';
    default:
      return undefined;
  }
}
