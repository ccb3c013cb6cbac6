/** A punch as it is stored: the kiosk's fields plus what the backend measured. */
export type EventRow = {
  id: string;
  terminalId: string;
  seq: number;
  employeeId: string;
  method: string;
  capturedAt: Date;
  receivedAt: Date;
  score: number | null;
  distance: number | null;
  clockSynced: boolean;
  clockOffsetMs: number | null;
  skewMs: number;
  liveness: string | null;
  unknownEmployee: boolean;
  clockSkew: boolean;
};

export interface EventStore {
  /** Inserts the rows that are new (by id) in one transaction; returns the ids it inserted. */
  insertEvents(rows: EventRow[]): Promise<Set<string>>;
  /** Which of these NIPs belong to employees. */
  knownEmployees(nips: string[]): Promise<Set<string>>;
}

export interface AckPublisher {
  publishAck(terminalId: string, payload: string): Promise<void>;
}
