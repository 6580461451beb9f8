import { describe, expect, it } from 'vitest';
import { Module as ProtoModule } from '../gen/landfall/v1/jobs_pb.js';
import { fromProtoModule, toProtoModule } from './module.js';

describe('proto Module mapping', () => {
  it('maps each domain module to its proto value and back', () => {
    expect(toProtoModule('arb')).toBe(ProtoModule.ARBITRAGE);
    expect(toProtoModule('mev')).toBe(ProtoModule.MEV);
    expect(fromProtoModule(ProtoModule.ARBITRAGE)).toBe('arb');
    expect(fromProtoModule(ProtoModule.MEV)).toBe('mev');
  });

  it('leaves a number the enum does not name to the caller', () => {
    expect(fromProtoModule(7 as ProtoModule)).toBeUndefined();
  });
});
