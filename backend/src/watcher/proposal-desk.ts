import type { HealMode } from '../domain.js';
import { DomainError } from '../errors.js';
import { genomeDiff } from '../genome/diff.js';
import type { Decider, NewProposal, ProposalRow, ProposalStore } from '../genome/proposals.js';
import { StaleLiveGenomeError, type GenomeRow } from '../genome/store.js';
import type { OrganismContext } from './context.js';
import type { Promotions } from './promotions.js';

export interface ProposalDeskDeps {
  proposals: ProposalStore;
  /** The same promotion every automatic heal goes through: lineage, events and live.js stay right. */
  promotions: Pick<Promotions, 'promote'>;
  /** The organism's manifest `healMode`, else HEAL_MODE. */
  mode: HealMode;
}

/** What a proposal is made of, besides what the desk works out itself (the organism, the diff). */
export type Proposed = Omit<NewProposal, 'organism' | 'baseGenomeId' | 'diff'> & { base: GenomeRow };

/**
 * Approval mode for one organism (HEAL_MODE=propose): verified changes wait here as proposals instead of being
 * promoted, and a person's approval promotes them through the same path an automatic heal takes, only while the
 * genome they were made against is still live. Any promotion supersedes the proposals made against the genome it
 * replaced, so a decision can never land on code it did not see.
 */
export class ProposalDesk {
  /** The proposal being promoted now: its own promotion must not supersede it. */
  private approving: number | null = null;

  constructor(
    private readonly c: OrganismContext,
    private readonly d: ProposalDeskDeps,
  ) {
    c.events.on('promoted', ({ genomeId, generation, cause }) => {
      this.supersedeStale(genomeId, `generation ${generation} (${cause}) replaced the genome it was made for`);
    });
  }

  get mode(): HealMode {
    return this.d.mode;
  }

  /** Verified changes become proposals rather than being promoted. */
  get proposing(): boolean {
    return this.d.mode === 'propose';
  }

  get pendingCount(): number {
    return this.d.proposals.countPending(this.name);
  }

  /**
   * The newest repair proposal of `genomeId` when it holds the ladder back: still pending, or rejected (the person said
   * no; climbing again would propose the same again). POST /heal still climbs on request.
   */
  holding(genomeId: string): ProposalRow | null {
    // Back in auto mode (HEAL_MODE changed over a restart), nothing waits: the ladder heals, and supersedes them.
    if (!this.proposing) return null;
    const p = this.d.proposals.latestHealFor(this.name, genomeId);
    return p && (p.status === 'pending' || p.status === 'rejected') ? p : null;
  }

  /** At start: proposals made against a genome that is no longer live (an edit while the server was down) are superseded. */
  reconcile(): void {
    this.supersedeStale(this.c.live.id, 'the live genome changed while the server was stopped');
  }

  /** Records a verified change as a pending proposal (superseding the organism's older pending ones) and tells of it. */
  propose(p: Proposed): ProposalRow {
    const { base, ...rest } = p;
    const { proposal, superseded } = this.d.proposals.add({
      ...rest,
      organism: this.name,
      baseGenomeId: base.id,
      diff: genomeDiff(base, { generation: base.generation + 1, source: p.source }),
    });
    for (const s of superseded) this.tell('decided', s);
    this.tell('proposed', proposal);
    return proposal;
  }

  /**
   * Promotes a pending proposal as a new generation, compare-and-swap on the genome it was made against. A proposal
   * whose genome is no longer live is superseded and refused (PROPOSAL_STALE); one already decided is refused
   * (PROPOSAL_DECIDED); an unknown one, or another organism's, is PROPOSAL_NOT_FOUND.
   */
  async approve(id: number, by: Decider): Promise<{ proposal: ProposalRow; genome: GenomeRow }> {
    const p = this.pending(id, 'approve');
    const live = this.c.live.current;
    if (p.baseGenomeId !== live.id) throw this.stale(p, `generation ${live.generation} (${live.cause}) is live now`);
    this.approving = id;
    let genome: GenomeRow;
    try {
      genome = await this.d.promotions.promote(p.baseGenomeId, {
        organism: this.name,
        source: p.source,
        cause: p.kind === 'heal' ? 'heal' : 'evolve',
        summary: p.summary,
        detail: { ...p.detail, proposal: { id: p.id, approvedBy: by, proposedAt: p.createdAt } },
      });
    } catch (err) {
      if (err instanceof StaleLiveGenomeError) throw this.stale(p, `genome ${err.actual ?? '?'} became live while the approval waited its turn`);
      throw err;
    } finally {
      this.approving = null;
    }
    const decided = this.d.proposals.decide(id, { status: 'approved', by, reason: null, genomeId: genome.id }) ?? p;
    this.tell('decided', decided);
    if (p.kind === 'heal') {
      const healMs = typeof p.detail.healMs === 'number' ? p.detail.healMs : 0;
      this.c.events.emit('healed', { organism: this.name, strategy: p.strategy, healMs });
    }
    this.c.say('healer', 'info', `proposal #${id} approved by ${describe(by)}: generation ${genome.generation} (${genome.id}) is live`);
    return { proposal: decided, genome };
  }

  /** Records a rejection; the genome stays as it is (for a repair: sick, and the ladder does not climb for it again). */
  reject(id: number, by: Decider): ProposalRow {
    this.pending(id, 'reject');
    const decided = this.d.proposals.decide(id, { status: 'rejected', by, reason: `rejected by ${describe(by)}` });
    if (!decided) throw this.alreadyDecided(this.d.proposals.get(id) as ProposalRow);
    this.tell('decided', decided);
    this.c.say('healer', 'warn', `proposal #${id} rejected by ${describe(by)}; generation ${this.c.live.current.generation} stays as it is`);
    return decided;
  }

  private get name(): string {
    return this.c.organism.name;
  }

  /** The organism's proposal `id`, still pending and not being approved right now. */
  private pending(id: number, verb: 'approve' | 'reject'): ProposalRow {
    const p = this.d.proposals.get(id);
    if (!p || p.organism !== this.name) {
      throw new DomainError('PROPOSAL_NOT_FOUND', `No proposal #${id} for ${this.name}. List them with GET /organisms/${this.name}/proposals.`);
    }
    if (p.status !== 'pending') throw this.alreadyDecided(p);
    if (this.approving === id) {
      throw new DomainError('PROPOSAL_DECIDED', `Proposal #${id} is being approved right now, so it cannot be ${verb === 'approve' ? 'approved' : 'rejected'} again.`);
    }
    return p;
  }

  private alreadyDecided(p: ProposalRow): DomainError {
    const who = p.decidedBy ? ` by ${describe(p.decidedBy)}` : '';
    const why = p.status === 'superseded' && p.reason ? ` (${p.reason})` : '';
    return new DomainError('PROPOSAL_DECIDED', `Proposal #${p.id} was already ${p.status}${who} at ${p.decidedAt}${why}; nothing was changed. GET /proposals lists the pending ones.`);
  }

  private stale(p: ProposalRow, why: string): DomainError {
    const reason = `the live genome changed since it was proposed: ${why}`;
    const decided = this.d.proposals.decide(p.id, { status: 'superseded', by: null, reason });
    if (decided) this.tell('decided', decided);
    return new DomainError('PROPOSAL_STALE', `Proposal #${p.id} was made for genome ${p.baseGenomeId}, but ${why}; it is superseded and nothing was changed. A new failure is healed (or proposed) anew.`);
  }

  private supersedeStale(liveId: string, reason: string): void {
    try {
      for (const p of this.d.proposals.supersedeStale(this.name, liveId, reason, this.approving)) this.tell('decided', p);
    } catch (err) {
      // A promotion has landed already; failing to mark a proposal must not undo it. Approving it later is refused anyway.
      this.c.say('watcher', 'error', `could not supersede the pending proposals: ${(err as Error).message}`);
    }
  }

  private tell(phase: 'proposed' | 'decided', proposal: ProposalRow): void {
    this.c.events.emit('proposal', { organism: this.name, phase, proposal });
    if (phase === 'proposed') {
      this.c.say('healer', 'warn', `proposal #${proposal.id} (${proposal.strategy}) waits for approval: POST /organisms/${this.name}/proposals/${proposal.id}/approve or /reject`);
    } else if (proposal.status === 'superseded') {
      this.c.say('healer', 'info', `proposal #${proposal.id} superseded: ${proposal.reason}`);
    }
  }
}

function describe(by: Decider): string {
  return by.tokenFingerprint ? `${by.address} (token ${by.tokenFingerprint})` : by.address;
}
