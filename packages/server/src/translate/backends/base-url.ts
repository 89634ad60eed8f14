/** An http(s) base URL without its trailing slash; a TypeError that names the setting otherwise. */
export function baseUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new TypeError(`The ${what} URL "${url}" is not a valid URL.`, { cause: err });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`The ${what} URL must be http or https, not ${parsed.protocol}`);
  }
  parsed.search = '';
  parsed.hash = '';
  return parsed.href.replace(/\/+$/, '');
}
