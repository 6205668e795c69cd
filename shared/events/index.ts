// Pieces of the `GET /events` stream that the agent and the manager serve alike.
export { streamEventWindow, systemWindowClock } from './stream-window.js';
export type {
  EventWindow,
  WindowClock,
  WindowResponse,
  WindowedEventLog,
} from './stream-window.js';
