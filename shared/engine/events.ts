// The agent's event stream (GET /events) as both ends see it: Docker's events.Message, for the
// flotilla CLI and for Docker clients alike, and the non-container events the engine raises.

/** An event of an image, a volume or a network, as the component that caused it reports it. */
export interface ObjectEvent {
  type: 'image' | 'volume' | 'network';
  action: string;
  /** Docker's Actor.ID: a network's id, a volume's name, an image's id or reference. */
  id: string;
  attributes: Record<string, string>;
}

/** Docker's events.Message; `status`, `id` and `from` only on container and image events. */
export interface EngineEventMessage {
  status?: string;
  id?: string;
  from?: string;
  Type: 'container' | 'image' | 'volume' | 'network';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Seconds since the epoch. */
  time: number;
  /** Nanoseconds since the epoch (ms precision: JSON numbers are doubles). */
  timeNano: number;
}

/** Docker's `events --filter` keys that the agent's events answer. */
export const eventFilterKeys = [
  'type',
  'event',
  'container',
  'image',
  'volume',
  'network',
  'label',
  'scope',
] as const;
