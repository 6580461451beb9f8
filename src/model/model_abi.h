/*
 * Landfall model ABI v1 — the contract between an agent and a compiled model.
 *
 * Any shared object that exports model_abi_v1_export() loads into a Landfall agent: one
 * compiled by `landfall model compile`, one built with Treelite, or one written by hand.
 * The layout below is identical to DESIGN.md ("Model ABI v1"); never reorder or resize a
 * field — add a new ABI version instead.
 *
 * Rules the loader enforces (a candidate that breaks one is rejected and the agent keeps
 * serving its current model):
 *  - abi_version must be 1.
 *  - n_features must equal the length of the feature set the agent computes (feature set
 *    `lf-v1`: the order is the agent's FEATURE_NAMES, recorded in the model's manifest).
 *    feats[i] is feature i of that order; a missing value is NaN.
 *  - default_threshold is the decision threshold on the predicted probability: finite and
 *    in [0, 1].
 *  - predict_mev and predict_arb return a probability in [0, 1]; either may be NULL, but the
 *    one for the module the model is published for must not be.
 *  - calibrate_tip returns a tip multiplier in [0, 1]; it may be NULL.
 *  - predict functions are pure and thread-safe: no global state, no allocation; they read
 *    exactly `len` floats (len == n_features) and never keep the pointer.
 *  - model_abi_v1_export() returns a pointer to static storage, valid until the library is
 *    unloaded (Landfall never unloads a model library).
 */
#ifndef LANDFALL_MODEL_ABI_H
#define LANDFALL_MODEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef float (*predict_fn)(const float* feats, size_t len);

typedef struct {
  uint32_t abi_version;      /* must be 1 */
  uint32_t n_features;
  float    default_threshold;
  predict_fn predict_mev;    /* may be NULL */
  predict_fn predict_arb;    /* may be NULL */
  predict_fn calibrate_tip;  /* tip multiplier 0..1, may be NULL */
} model_abi_v1;

const model_abi_v1* model_abi_v1_export(void);

#ifdef __cplusplus
}
#endif

#endif /* LANDFALL_MODEL_ABI_H */
