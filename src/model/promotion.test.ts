import { describe, expect, it } from 'vitest';
import { decidePromotion, figuresAsMetrics } from './promotion.js';

const rule = { marginSol: 0.001, marginFraction: 0.05 };
const candidate = (profitSol: number) => ({
  version: 'c0ffee00',
  profitSol,
  threshold: 0.4,
  validationRows: 500,
});
const live = (profitSol: number) => ({ version: 'aaaa1111', profitSol, threshold: 0.6 });

describe('champion/challenger rule', () => {
  it('promotes a candidate with nothing to beat, saying so', () => {
    const d = decidePromotion(candidate(0.5), undefined, rule);
    expect(d.promote).toBe(true);
    expect(d.reason).toMatch(/no live model to beat/);
    expect(figuresAsMetrics(d)).toEqual({ promoted_by_rule: 1, promotion_required_gain_sol: 0 });
  });

  it('promotes over a live model that cannot be scored', () => {
    const d = decidePromotion(candidate(0.5), { version: 'aaaa1111', unscorable: 'gone' }, rule);
    expect(d).toMatchObject({ promote: true });
    expect(d.reason).toMatch(/live model aaaa1111 cannot be scored \(gone\)/);
  });

  it('needs more than the larger of the absolute and the relative margin', () => {
    // 5 % of 1 SOL = 0.05 SOL beats the 0.001 SOL floor.
    expect(decidePromotion(candidate(1.049), live(1), rule).promote).toBe(false);
    expect(decidePromotion(candidate(1.0501), live(1), rule).promote).toBe(true);
    // Near zero the absolute margin rules: 5 % of 0.002 is below 0.001.
    expect(decidePromotion(candidate(0.0029), live(0.002), rule).promote).toBe(false);
    expect(decidePromotion(candidate(0.0031), live(0.002), rule).promote).toBe(true);
    // A losing live model: the margin is on |profit|.
    expect(decidePromotion(candidate(-0.94), live(-1), rule).promote).toBe(true);
    expect(decidePromotion(candidate(-0.96), live(-1), rule).promote).toBe(false);
  });

  it('keeps a tie as a candidate, with the figures that decided it', () => {
    const d = decidePromotion(candidate(1), live(1), { marginSol: 0, marginFraction: 0 });
    expect(d.promote).toBe(false);
    expect(d.reason).toMatch(
      /^kept as a candidate: candidate c0ffee00 earns 1\.000000 SOL at threshold 0\.400, live aaaa1111 1\.000000 SOL at 0\.600 on the same 500 validation rows; gain 0\.000000 SOL, required more than 0\.000000 SOL$/,
    );
    expect(d.figures).toMatchObject({
      liveVersion: 'aaaa1111',
      liveProfitSol: 1,
      requiredGainSol: 0,
    });
    expect(figuresAsMetrics(d)).toEqual({
      promoted_by_rule: 0,
      promotion_required_gain_sol: 0,
      live_expected_profit_sol: 1,
      live_threshold: 0.6,
    });
  });
});
