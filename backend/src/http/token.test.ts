import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken, isLoopback, tokensMatch } from './token.js';

describe('tokensMatch', () => {
  it('accepts exactly the configured token', () => {
    expect(tokensMatch('s3cret-token-0123456789', 's3cret-token-0123456789')).toBe(true);
    expect(tokensMatch('s3cret-token-0123456788', 's3cret-token-0123456789')).toBe(false);
    expect(tokensMatch('', 's3cret-token-0123456789')).toBe(false);
    expect(tokensMatch('s3cret-token-0123456789-and-more', 's3cret-token-0123456789')).toBe(false);
  });

  it('never matches a different string, whatever its length', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => tokensMatch(a, b) === (a === b)));
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header and nothing else', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('isLoopback', () => {
  it('knows the loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(isLoopback(h)).toBe(true);
    for (const h of ['::', '0.0.0.0', '10.0.0.5', 'example.com', '1270.0.0.1']) expect(isLoopback(h)).toBe(false);
  });
});
