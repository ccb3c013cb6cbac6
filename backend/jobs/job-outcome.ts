/** What a job run came to: handlers return it instead of throwing (STYLE.md, practice 9). */
export type JobOutcome =
  | ({ status: 'Success' } & Record<string, unknown>)
  | { status: 'Skipped'; reason: string }
  | { status: 'Failed'; error: string };

export function failed(err: unknown): JobOutcome {
  return { status: 'Failed', error: err instanceof Error ? err.message : String(err) };
}
