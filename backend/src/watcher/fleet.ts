import { ORGANISM_NAME } from '../domain.js';
import { DomainError } from '../errors.js';
import type { Supervisor } from './supervisor.js';

/** Every organism's supervisor, each with its own loop; one of them answers the routes without a name. */
export class Fleet {
  private readonly byName: ReadonlyMap<string, Supervisor>;

  constructor(
    supervisors: readonly Supervisor[],
    readonly defaultName: string,
  ) {
    this.byName = new Map(supervisors.map((s) => [s.name, s]));
    if (!this.byName.has(defaultName)) throw new Error(`the default organism "${defaultName}" is not among those loaded`);
  }

  get default(): Supervisor {
    return this.byName.get(this.defaultName) as Supervisor;
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  all(): Supervisor[] {
    return [...this.byName.values()];
  }

  /** The supervisor of a name taken from a URL: INVALID_ORGANISM_NAME for a malformed name, ORGANISM_NOT_FOUND for an unknown one. */
  get(name: string): Supervisor {
    if (!ORGANISM_NAME.test(name)) {
      throw new DomainError('INVALID_ORGANISM_NAME', `"${name.slice(0, 64)}" is not an organism name: names are lowercase letters, digits and dashes. GET /organisms lists them.`);
    }
    const s = this.byName.get(name);
    if (!s) throw new DomainError('ORGANISM_NOT_FOUND', `No organism "${name}". Known organisms: ${this.names.join(', ')}.`);
    return s;
  }

  get alive(): boolean {
    return this.all().every((s) => s.alive);
  }

  /** Verifies every organism's genome 0, one organism after the other (each uses every core). */
  async verifySeeds(): Promise<void> {
    for (const s of this.all()) await s.verifySeed();
  }

  start(): void {
    for (const s of this.all()) s.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((s) => s.stop()));
  }
}
