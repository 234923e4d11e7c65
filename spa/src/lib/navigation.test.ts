import { describe, expect, it, vi } from 'vitest';
import { currentPath, toReturnUrl } from './navigation';

/** ReturnUrlValidator.IsLocal, ported as written in C#: the server's rule for a returnUrl. */
function serverAccepts(url: string): boolean {
  return (
    url.startsWith('/') &&
    url.length <= 2048 &&
    url[1] !== '/' &&
    url[1] !== '\\' &&
    [...url].every((c) => c > ' ' && c <= '~' && c !== '\\')
  );
}

function at(pathname: string, search = '', hash = '') {
  vi.stubGlobal('location', { ...window.location, pathname, search, hash });
}

describe('currentPath', () => {
  it('keeps the whole place, with a backslash in the query percent-encoded', () => {
    at('/orders', '?q=a\\b', '#top');

    const returnUrl = currentPath();

    expect(returnUrl).toBe('/orders?q=a%5Cb#top');
    expect(serverAccepts(returnUrl)).toBe(true);
  });

  it.each([
    ['/', '?q=a b', '#x', '/?q=a%20b#x'],
    ['/sessions', '', '#caf\u00e9', '/sessions#caf%C3%A9'],
    ['/sessions', '?tab=\u0001', '', '/sessions?tab=%01'],
    ['/sessions', '?q=\u{1F600}', '', '/sessions?q=%F0%9F%98%80'],
  ])('encodes what the server refuses in %s%s%s', (pathname, search, hash, expected) => {
    at(pathname, search, hash);
    expect(currentPath()).toBe(expected);
    expect(serverAccepts(currentPath())).toBe(true);
  });

  it('drops a query too long to come back through the provider, keeping the path', () => {
    at('/orders', '?q=' + 'x'.repeat(3000));
    expect(currentPath()).toBe('/orders');
    expect(serverAccepts(currentPath())).toBe(true);
  });

  it('falls back to the path when the rest cannot be encoded, and to / when the path is no local one', () => {
    at('/sessions', '', '#\ud800');
    expect(currentPath()).toBe('/sessions');

    at('//evil.example/x');
    expect(currentPath()).toBe('/');
  });
});

describe('toReturnUrl', () => {
  it('refuses what would leave the origin', () => {
    expect(toReturnUrl('https://evil.example/')).toBeUndefined();
    expect(toReturnUrl('//evil.example/')).toBeUndefined();
    expect(toReturnUrl('/\\evil.example/')).toBeUndefined();
    expect(toReturnUrl('')).toBeUndefined();
  });

  it('leaves an acceptable path alone', () => {
    expect(toReturnUrl('/orders?page=2&sort=-date#list')).toBe('/orders?page=2&sort=-date#list');
  });
});
