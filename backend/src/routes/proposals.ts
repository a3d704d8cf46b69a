import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiErrorBodySchema as ErrorBody,
  PROPOSAL_STATUSES,
  ProposalDecisionSchema,
  ProposalDetailSchema,
  ProposalsResponseSchema,
  type Proposal,
} from '@ouroboros/contract';
import { DomainError } from '../errors.js';
import type { ProposalRow } from '../genome/proposals.js';
import type { GenomeStore } from '../genome/store.js';
import { deciderOf } from '../http/decider.js';
import type { Supervisor } from '../watcher/supervisor.js';
import { queryInt } from './query-int.js';
import type { OrganismScope } from './scope.js';

// Loose, not strict: under /organisms/:name the params also carry the organism's name, which must survive parsing.
const ProposalParams = z.looseObject({ id: queryInt(1, Number.MAX_SAFE_INTEGER).describe('a proposal id, as listed by GET /proposals') });
const ListQuery = z.strictObject({
  status: z.enum(PROPOSAL_STATUSES).optional().describe('only proposals with this status'),
  limit: queryInt(1, 500).optional().describe('newest first; default 50'),
});
// Approve and reject take no body; a bodiless POST arrives as null.
const NoBody = z.strictObject({}).nullish();

/**
 * HEAL_MODE=propose: the proposals waiting for a person and the decisions on them. At the top level every organism's
 * proposals (a dashboard shows all that wait); under /organisms/:name that organism's only.
 */
export const proposalRoutes: FastifyPluginAsync<OrganismScope> = async (app, { resolve, scope }) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const organismOf = (req: FastifyRequest) => (scope === 'all' ? null : resolve(req).name);

  /** The supervisor that owns proposal `id` within this scope, or PROPOSAL_NOT_FOUND. */
  const ownerOf = (req: FastifyRequest, id: number): { s: Supervisor; p: ProposalRow } => {
    const p = app.proposals.get(id);
    const organism = organismOf(req);
    if (!p || (organism !== null && p.organism !== organism) || !app.fleet.names.includes(p.organism)) {
      const list = organism ? `/organisms/${organism}/proposals` : '/proposals';
      throw new DomainError('PROPOSAL_NOT_FOUND', `No proposal #${id}${organism ? ` for ${organism}` : ''}. List them with GET ${list}.`);
    }
    return { s: app.fleet.get(p.organism), p };
  };

  const proposalOwner = (req: FastifyRequest): string | null => {
    const id = Number((req.params as { id?: unknown }).id);
    return Number.isSafeInteger(id) ? (app.proposals.get(id)?.organism ?? null) : null;
  };

  r.get(
    '/proposals',
    {
      schema: {
        summary: 'Proposals, newest first: verified changes that wait for approval (HEAL_MODE=propose) and the decisions taken',
        querystring: ListQuery,
        response: { 200: ProposalsResponseSchema, 400: ErrorBody },
      },
    },
    async (req) => {
      const organism = organismOf(req);
      // An organism left out of ORGANISMS keeps its proposals in the store, but nothing here could decide them.
      const names = organism ? [organism] : app.fleet.names;
      const rows = app.proposals.list({ organism, status: req.query.status ?? null, limit: req.query.limit ?? 50 }).filter((p) => names.includes(p.organism));
      return {
        proposals: rows.map((p) => toApiProposal(p, app.store)),
        count: rows.length,
        pending: names.reduce((n, name) => n + app.proposals.countPending(name), 0),
      };
    },
  );

  r.get(
    '/proposals/:id',
    {
      schema: {
        summary: 'One proposal, with the whole proposed genome',
        params: ProposalParams,
        response: { 200: ProposalDetailSchema, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const { p } = ownerOf(req, req.params.id);
      return { ...toApiProposal(p, app.store), source: p.source };
    },
  );

  r.post(
    '/proposals/:id/approve',
    {
      // The audit trail names the proposal's organism, also on the top-level route.
      config: { audit: { organism: proposalOwner } },
      schema: {
        summary: 'Promote a pending proposal as a new generation (409 when the live genome changed since, or it was decided already)',
        params: ProposalParams,
        body: NoBody,
        response: { 200: ProposalDecisionSchema, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const { s } = ownerOf(req, req.params.id);
      const { proposal, genome } = await s.desk.approve(req.params.id, deciderOf(req, app.config.token !== null));
      return {
        proposal: toApiProposal(proposal, app.store),
        message: `approved: generation ${genome.generation} (${genome.id}) is live`,
        genome: { id: genome.id, generation: genome.generation },
      };
    },
  );

  r.post(
    '/proposals/:id/reject',
    {
      // The audit trail names the proposal's organism, also on the top-level route.
      config: { audit: { organism: proposalOwner } },
      schema: {
        summary: 'Reject a pending proposal: nothing changes, and the ladder does not propose a repair of the same genome again',
        params: ProposalParams,
        body: NoBody,
        response: { 200: ProposalDecisionSchema, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const { s } = ownerOf(req, req.params.id);
      const proposal = s.desk.reject(req.params.id, deciderOf(req, app.config.token !== null));
      return {
        proposal: toApiProposal(proposal, app.store),
        message: `rejected: generation ${s.liveGenome.generation} stays live${proposal.kind === 'heal' ? '; POST /heal climbs the ladder again' : ''}`,
        genome: null,
      };
    },
  );
};

/** A proposal as the API shows it: its cause and verification picked out of what the promotion would record. */
export function toApiProposal(p: ProposalRow, store: Pick<GenomeStore, 'getGenome'>): Proposal {
  const failure = p.detail.failure as { verdict?: string; error?: string | null; case?: string | null; seed?: number } | undefined;
  const v = p.detail.verification as { passed?: boolean; size?: number; runs?: number; timeMs?: number; reused?: boolean } | undefined;
  return {
    id: p.id,
    organism: p.organism,
    kind: p.kind,
    status: p.status,
    strategy: p.strategy,
    summary: p.summary,
    baseGenomeId: p.baseGenomeId,
    baseGeneration: store.getGenome(p.baseGenomeId)?.generation ?? null,
    diff: p.diff,
    failure: failure?.verdict
      ? { verdict: failure.verdict, error: failure.error ?? null, case: failure.case ?? null, seed: typeof failure.seed === 'number' ? failure.seed : null }
      : null,
    verification: v && typeof v.passed === 'boolean' ? { passed: v.passed, size: v.size ?? 0, runs: v.runs ?? 0, timeMs: v.timeMs ?? 0, reused: v.reused === true } : null,
    createdAt: p.createdAt,
    decidedAt: p.decidedAt,
    decidedBy: p.decidedBy,
    reason: p.reason,
    genomeId: p.genomeId,
  };
}
