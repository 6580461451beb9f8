import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitC, floatLiteral } from './compile.js';
import { parseXgbModel, predictReference } from './xgb-json.js';

/** A one-split model in the JSON layout XGBoost writes, with fields overridable. */
function modelJson(over: { baseScore?: string; objective?: string; splitType?: number } = {}) {
  return JSON.stringify({
    learner: {
      feature_names: [],
      gradient_booster: {
        name: 'gbtree',
        model: {
          trees: [
            {
              tree_param: { num_nodes: '3', num_feature: '2' },
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              split_indices: [1, 0, 0],
              split_conditions: [0.5, -0.25, 0.75],
              default_left: [1, 0, 0],
              split_type: [over.splitType ?? 0, 0, 0],
              base_weights: [0, -0.25, 0.75],
            },
          ],
        },
      },
      learner_model_param: { base_score: over.baseScore ?? '5E-1', num_feature: '2' },
      objective: { name: over.objective ?? 'binary:logistic' },
    },
  });
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));

describe('XGBoost JSON models', () => {
  it('reads 1.x scalar and 2.x/3.x list base_score alike, as a probability', () => {
    for (const bs of ['2E-1', '[2E-1]']) {
      const m = parseXgbModel(modelJson({ baseScore: bs }));
      expect(m.baseMargin).toBeCloseTo(Math.log(0.2 / 0.8), 6);
    }
  });

  it('follows default_left for NaN and `x < threshold` otherwise', () => {
    const m = parseXgbModel(modelJson());
    expect(predictReference(m, Float32Array.of(0, Number.NaN))).toBeCloseTo(sigmoid(-0.25), 6);
    expect(predictReference(m, Float32Array.of(0, 0.4999))).toBeCloseTo(sigmoid(-0.25), 6);
    // Equal to the threshold goes right, as in XGBoost.
    expect(predictReference(m, Float32Array.of(0, 0.5))).toBeCloseTo(sigmoid(0.75), 6);
  });

  it('refuses what ABI v1 cannot express, naming it', () => {
    expect(() => parseXgbModel(modelJson({ objective: 'reg:squarederror' }))).toThrow(
      /objective reg:squarederror is not supported/,
    );
    expect(() => parseXgbModel(modelJson({ splitType: 1 }))).toThrow(/categorical splits/);
    expect(() => parseXgbModel('{')).toThrow(/not valid JSON/);
    expect(() => emitC(parseXgbModel(modelJson()), { module: 'mev', threshold: 2 })).toThrow(
      /threshold 2 is not in \[0, 1\]/,
    );
  });

  it('writes float literals that C reads back as the same float32', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const lit = floatLiteral(v);
        expect(lit.endsWith('f')).toBe(true);
        expect(Math.fround(Number.parseFloat(lit.slice(0, -1)))).toBe(Math.fround(v));
      }),
    );
  });
});
