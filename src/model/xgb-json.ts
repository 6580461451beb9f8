import { LandfallError } from '../errors.js';

/**
 * XGBoost's JSON model format (written by 1.6, 1.7 and 2.x), reduced to what a binary:logistic
 * tree ensemble needs to predict. Every number is rounded to float32 here, because XGBoost
 * stores and compares in float32: the compiler and the reference evaluator then agree with it.
 */
export interface XgbTree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** Split threshold for inner nodes, leaf value for leaves (as XGBoost stores them). */
  value: Float32Array;
  defaultLeft: Uint8Array;
}

export interface XgbModel {
  nFeatures: number;
  /** base_score as written (a probability for binary:logistic). */
  baseScore: number;
  /** float32 margin every prediction starts from: logit(base_score). */
  baseMargin: number;
  trees: XgbTree[];
  featureNames: string[];
}

type Json = Record<string, unknown>;

function bad(reason: string): never {
  throw new LandfallError('LF_MODEL_COMPILE', `XGBoost JSON model: ${reason}`);
}

function obj(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${where} is not an object`);
  return v as Json;
}

function nums(v: unknown, where: string, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n) bad(`${where} is not an array of ${n} numbers`);
  return v.map((x) => (typeof x === 'number' ? x : bad(`${where} holds a non-number`)));
}

/** 2.1+ writes base_score as "[5E-1]"; earlier versions as "5E-1". */
function parseScalar(v: unknown, where: string): number {
  const s = String(v).replace(/^\[|\]$/g, '');
  const n = Number(s);
  if (!Number.isFinite(n)) bad(`${where} is not a number: ${String(v)}`);
  return n;
}

export function parseXgbModel(text: string): XgbModel {
  let root: Json;
  try {
    root = obj(JSON.parse(text), 'the document');
  } catch (err) {
    if (err instanceof LandfallError) throw err;
    throw new LandfallError('LF_MODEL_COMPILE', 'XGBoost JSON model: not valid JSON', {
      cause: err,
    });
  }
  const learner = obj(root.learner, 'learner');
  const objective = obj(learner.objective, 'learner.objective');
  if (objective.name !== 'binary:logistic') {
    bad(`objective ${String(objective.name)} is not supported; train with binary:logistic`);
  }
  const booster = obj(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') bad(`booster ${String(booster.name)} is not gbtree`);
  const param = obj(learner.learner_model_param, 'learner.learner_model_param');
  const nFeatures = parseScalar(param.num_feature, 'num_feature');
  const baseScore = parseScalar(param.base_score, 'base_score');
  if (!(baseScore > 0 && baseScore < 1)) bad(`base_score ${baseScore} is not in (0, 1)`);
  const model = obj(booster.model, 'gradient_booster.model');
  if (!Array.isArray(model.trees)) bad('gradient_booster.model.trees is missing');
  const trees = model.trees.map((t, i) => parseTree(obj(t, `trees[${i}]`), i, nFeatures));
  const names = Array.isArray(learner.feature_names) ? learner.feature_names.map(String) : [];
  const b = Math.fround(baseScore);
  return {
    nFeatures,
    baseScore,
    // XGBoost's ProbToMargin for logistic: -log(1/p - 1), computed in float32.
    baseMargin: Math.fround(-Math.log(Math.fround(1 / b - 1))),
    trees,
    featureNames: names.length === nFeatures ? names : [],
  };
}

function parseTree(t: Json, i: number, nFeatures: number): XgbTree {
  const where = `trees[${i}]`;
  const tp = obj(t.tree_param, `${where}.tree_param`);
  const n = parseScalar(tp.num_nodes, `${where}.num_nodes`);
  const left = nums(t.left_children, `${where}.left_children`, n);
  const right = nums(t.right_children, `${where}.right_children`, n);
  const feature = nums(t.split_indices, `${where}.split_indices`, n);
  const value = nums(t.split_conditions, `${where}.split_conditions`, n);
  const defaultLeft = nums(t.default_left, `${where}.default_left`, n);
  if (Array.isArray(t.split_type) && t.split_type.some((s) => s !== 0)) {
    bad(`${where} has categorical splits, which ABI v1 models do not support`);
  }
  for (let k = 0; k < n; k++) {
    const l = left[k] as number;
    if (l === -1) continue;
    const r = right[k] as number;
    if (l <= k || r <= k || l >= n || r >= n) bad(`${where} node ${k} has bad children`);
    const f = feature[k] as number;
    if (f < 0 || f >= nFeatures) bad(`${where} node ${k} splits on feature ${f} of ${nFeatures}`);
  }
  return {
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    feature: Int32Array.from(feature),
    value: Float32Array.from(value),
    defaultLeft: Uint8Array.from(defaultLeft.map((d) => (d ? 1 : 0))),
  };
}

/** The leaf a row reaches: NaN takes the default branch, otherwise `x < threshold` goes left. */
export function leafValue(tree: XgbTree, row: Float32Array): number {
  let k = 0;
  while ((tree.left[k] as number) !== -1) {
    const x = row[tree.feature[k] as number] as number;
    const goLeft = Number.isNaN(x) ? tree.defaultLeft[k] === 1 : x < (tree.value[k] as number);
    k = goLeft ? (tree.left[k] as number) : (tree.right[k] as number);
  }
  return tree.value[k] as number;
}

/**
 * Reference prediction in JS with XGBoost's float32 arithmetic: the margin starts at the base
 * margin, each tree's leaf is added in float32, then the logistic. It produces the golden
 * vectors every compiled library must reproduce.
 */
export function predictReference(model: XgbModel, row: Float32Array): number {
  let margin = model.baseMargin;
  for (const tree of model.trees) margin = Math.fround(margin + leafValue(tree, row));
  return Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-margin))));
}
