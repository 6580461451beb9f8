import { LandfallError } from '../errors.js';
import { ControlAction } from '../gen/landfall/v1/control_pb.js';
import type { Module } from '../gen/landfall/v1/jobs_pb.js';
import type { SloState } from '../gen/landfall/v1/realtime_pb.js';

/** The API's view of `slo-proto` (LiveViews): the latest verdict per module. */
export interface SloView {
  readonly slo: ReadonlyMap<number, SloState>;
}

/** What an operator asks for, as far as the SLO gate cares. */
export type GatedAction =
  | {
      kind: 'control';
      action: 'kill' | 'throttle' | 'resume' | 'set_policy';
      rateFraction?: number;
    }
  | { kind: 'training.start' };

/**
 * Refuses (409 LF_API_SLO_VIOLATED) the risky actions the dashboard disables while a module's
 * SLO is violated, so a client that bypasses the dashboard gets the same answer:
 * - a resume while the guard's last action on the module was a throttle (lifting the guard's
 *   throttle), and a throttle at full rate (the same thing spelled differently);
 * - a training start for the module.
 * Kill stays allowed, and so does a resume after a kill: stopping is never blocked, and an
 * operator who stopped a module decides when it runs again.
 */
export function assertSloAllows(
  view: SloView | undefined,
  module: Module,
  what: GatedAction,
): void {
  const state = view?.slo.get(module);
  if (state === undefined || !state.violated) return;
  const why = `the module's SLO is violated (${state.reason || 'see /api/status'})`;
  if (what.kind === 'training.start')
    throw new LandfallError(
      'LF_API_SLO_VIOLATED',
      `training start refused: ${why}; wait until the SLO holds again (GET /api/status shows slo.<module>.violated)`,
    );
  const lifting =
    (what.action === 'resume' && state.lastAction === ControlAction.THROTTLE) ||
    (what.action === 'throttle' && what.rateFraction === 1);
  if (lifting)
    throw new LandfallError(
      'LF_API_SLO_VIOLATED',
      `${what.action} refused: it would lift the guard's throttle while ${why}; kill stays allowed, and the throttle lifts once the SLO holds`,
    );
}
