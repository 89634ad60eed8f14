import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { nonPublicRange } from './address.js';

/**
 * The guard against server-side request forgery, for every request the server
 * makes to a URL a caller gave (input files, webhooks): a host that resolves
 * to a loopback, private, link-local or otherwise non-public address is
 * refused, unless the operator allowed private URLs.
 *
 * Every address a name resolves to is checked, and the connection is handed
 * only those checked addresses, so a second DNS answer cannot swap in a
 * private one between the check and the connect (DNS rebinding). Redirects
 * are new requests: check each one again with {@link connectOptions}.
 */
export interface AddressPolicy {
  /** Let requests reach private, loopback and link-local addresses. @default false */
  allowPrivate?: boolean;
  /** Non-public addresses allowed all the same (an internal image host), exactly as resolved. @default [] */
  allowAddresses?: readonly string[];
}

export class UrlNotAllowedError extends Error {
  override name = 'UrlNotAllowedError';
  readonly host: string;
  readonly address: string;

  constructor(host: string, address: string, range: string) {
    super(
      `${host} resolves to ${address} (${range}); requests to private, loopback and link-local addresses ` +
        'are refused. An operator can allow them with --allow-private-urls.',
    );
    this.host = host;
    this.address = address;
  }
}

/** Throw {@link UrlNotAllowedError} unless `address` may be reached under the policy. */
export function checkAddress(
  host: string,
  address: string,
  { allowPrivate = false, allowAddresses = [] }: AddressPolicy = {},
): void {
  if (allowPrivate || allowAddresses.includes(address)) return;
  const range = nonPublicRange(address);
  if (range !== null) throw new UrlNotAllowedError(host, address, range);
}

/**
 * A `lookup` for `http.request`, `https.request` or `net.connect` that
 * resolves the name, refuses it if any address is not allowed, and connects
 * only to the addresses it checked.
 */
export function guardedLookup(policy: AddressPolicy = {}): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      try {
        if (addresses.length === 0)
          throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        for (const { address } of addresses) checkAddress(hostname, address, policy);
      } catch (checkErr) {
        callback(checkErr as NodeJS.ErrnoException, '', 0);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * Options to spread into `http.request` / `https.request` for `url`: checks a
 * literal IP host now (connections to literals skip the lookup) and guards
 * name resolution for the rest.
 */
export function connectOptions(url: URL, policy: AddressPolicy = {}): { lookup: LookupFunction } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) checkAddress(url.hostname, host, policy);
  return { lookup: guardedLookup(policy) };
}
