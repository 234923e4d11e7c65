/** A full-page navigation (sign-in and sign-out leave the SPA). */
export type Navigate = (url: string) => void;

export const navigateTo: Navigate = (url) => {
  window.location.assign(url);
};

/** The longest `returnUrl` the server takes: it travels to the provider and back in the sign-in's state. */
export const MAX_RETURN_URL_LENGTH = 2048;

/**
 * The server's rule for a `returnUrl` (ReturnUrlValidator): a path on this origin, not `//host` or `/\host`, in
 * printable ASCII without spaces or `\`, of at most 2048 characters. The server answers anything else with a 400 page.
 */
export function isLocalUrl(url: string): boolean {
  return url.length <= MAX_RETURN_URL_LENGTH && /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(url);
}

/**
 * `url` as a `returnUrl` the server accepts, with what its rule refuses percent-encoded (browsers leave `\` bare in
 * a query or fragment); undefined when it is no local path.
 */
export function toReturnUrl(url: string): string | undefined {
  // What would leave the origin is refused as it is, not encoded into a harmless-looking path.
  if (!/^\/(?![/\\])/.test(url)) return undefined;
  let encoded: string;
  try {
    encoded = url.replace(/[^\x21-\x5b\x5d-\x7e]/gu, (char) => encodeURIComponent(char));
  } catch {
    // A lone surrogate has no UTF-8 form to encode.
    return undefined;
  }
  return isLocalUrl(encoded) ? encoded : undefined;
}

/** The current location as a `returnUrl`: all of it where possible, else its path, else the start page. */
export function currentPath(): string {
  const { pathname, search, hash } = window.location;
  return toReturnUrl(`${pathname}${search}${hash}`) ?? toReturnUrl(pathname) ?? '/';
}
