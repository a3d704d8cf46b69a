import type { FastifyRequest } from 'fastify';
import type { Decider } from '../genome/proposals.js';
import { bearerToken, tokenFingerprint } from './token.js';

/**
 * Who made a decision, as far as the server can tell: the client's address (X-Forwarded-For's with TRUST_PROXY) and,
 * when a token was sent, a fingerprint of it: enough to tell two tokens apart in the record, useless to an attacker.
 */
export function deciderOf(req: FastifyRequest, tokenRequired: boolean): Decider {
  // Without OUROBOROS_TOKEN nothing checked what a client sent as a token: it says nothing about who decided.
  const token = tokenRequired ? bearerToken(req.headers.authorization) : null;
  return { address: req.ip, tokenFingerprint: token === null ? null : tokenFingerprint(token) };
}
