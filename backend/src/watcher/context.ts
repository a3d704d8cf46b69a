import type { LogLevel, LogSource } from '../domain.js';
import type { GenomeStore } from '../genome/store.js';
import type { Organism } from '../organism/manifest.js';
import type { SupervisorEvents } from './events.js';
import type { LiveGenome } from './live-genome.js';

/** Tells the organism's log book (and the server's log) what happened, in words. */
export type Say = (source: LogSource, level: LogLevel, text: string) => void;

/** What every part of a supervisor shares: the organism, its history, its live genome, and the ways to tell of it. */
export interface OrganismContext {
  organism: Organism;
  store: GenomeStore;
  live: LiveGenome;
  events: SupervisorEvents;
  say: Say;
  /** Logs a change of the organism's state, if there was one. */
  noteStateChange: () => void;
}
