import type { PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { certificateNames } from '../../../src/transport/peer-names.js';

const cert = (subject: Record<string, unknown>, subjectaltname?: string) =>
  ({ subject, ...(subjectaltname === undefined ? {} : { subjectaltname }) }) as PeerCertificate;

describe('certificateNames', () => {
  it('lists the CN, then DNS, email and URI SANs, without duplicates or IP addresses', () => {
    expect(
      certificateNames(
        cert(
          { CN: 'alice' },
          'DNS:alice, DNS:alice.example, email:alice@example.org, IP Address:10.0.0.1, URI:urn:alice',
        ),
      ),
    ).toEqual(['alice', 'alice.example', 'alice@example.org', 'urn:alice']);
  });

  it('keeps a quoted SAN whole, commas and all', () => {
    expect(certificateNames(cert({ CN: 'x' }, 'DNS:"a, b", DNS:c'))).toEqual(['x', 'a, b', 'c']);
  });

  it('takes every CN of a subject with several, and copes with no subject names at all', () => {
    expect(certificateNames(cert({ CN: ['one', 'two'] }))).toEqual(['one', 'two']);
    expect(certificateNames(cert({}))).toEqual([]);
  });
});
