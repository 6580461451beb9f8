import { ApiError } from './api.js';
import { rememberedToken } from './session.js';
import type { ModuleName } from './state.js';

/** One `train.schedule` entry as GET /api/training/schedule shows it, with its next window. */
export interface ScheduleView {
  id: string;
  module: ModuleName;
  everyMs?: number;
  cron?: string;
  windowMs: number;
  features: string;
  next: { jobId: string; start: string; end: string };
}

/**
 * Scheduled retraining as the API reports it. The request carries the token the page signed in
 * with, which it keeps for this tab (session.ts); without one, the API's refusal is the answer.
 */
export async function schedules(): Promise<ScheduleView[]> {
  const res = await fetch('/api/training/schedule', {
    headers: { authorization: `Bearer ${rememberedToken() ?? ''}` },
  });
  const body = (await res.json().catch(() => ({}))) as {
    schedules?: ScheduleView[];
    error?: { code?: string; message?: string };
  };
  if (!res.ok) {
    throw new ApiError(
      res.status,
      body.error?.code ?? `HTTP_${res.status}`,
      body.error?.message ?? res.statusText,
    );
  }
  return body.schedules ?? [];
}
