/** A full-page navigation (sign-in and sign-out leave the SPA). */
export type Navigate = (url: string) => void;

export const navigateTo: Navigate = (url) => {
  window.location.assign(url);
};

/** The current location as a local path, suitable for a `returnUrl`. */
export function currentPath(): string {
  const { pathname, search, hash } = window.location;
  return `${pathname}${search}${hash}`;
}
