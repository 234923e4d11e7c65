import { describe, expect, it } from 'vitest';
import { claims } from '../../testing/fetch';
import { loginUrl, logoutUrl, toSessionUser } from './session';

describe('toSessionUser', () => {
  it('reads the claims the BFF returns', () => {
    const user = toSessionUser(claims());
    expect(user).toMatchObject({
      sub: '818727',
      displayName: 'Alice Smith',
      email: 'alice@example.com',
      sid: 'abc',
      expiresIn: 3600,
      logoutUrl: '/bff/logout?sid=abc',
    });
  });

  it('accepts the expiry as a number', () => {
    expect(toSessionUser(claims({ 'bff:session_expires_in': 42 })).expiresIn).toBe(42);
  });

  it('leaves the expiry out when it is missing or not a number', () => {
    expect(toSessionUser(claims({ 'bff:session_expires_in': 'soon' })).expiresIn).toBeUndefined();
    expect(toSessionUser([{ type: 'sub', value: '1' }]).expiresIn).toBeUndefined();
  });

  it('falls back to sub for the name, and to the sid for the logout URL', () => {
    const user = toSessionUser([
      { type: 'sub', value: 'u-1' },
      { type: 'sid', value: 's 1' },
    ]);
    expect(user.displayName).toBe('u-1');
    expect(user.logoutUrl).toBe('/bff/logout?sid=s%201');
  });

  it('ignores a logout URL that would leave the origin', () => {
    expect(toSessionUser(claims({ 'bff:logout_url': 'https://evil.example/logout' })).logoutUrl).toBe(
      '/bff/logout?sid=abc',
    );
    expect(toSessionUser(claims({ 'bff:logout_url': '//evil.example/logout' })).logoutUrl).toBe('/bff/logout?sid=abc');
  });
});

describe('sign-in and sign-out URLs', () => {
  it('returns to the given local path after login', () => {
    expect(loginUrl('/')).toBe('/bff/login?returnUrl=%2F');
    expect(loginUrl('/orders?page=2')).toBe('/bff/login?returnUrl=%2Forders%3Fpage%3D2');
  });

  it('percent-encodes in the returnUrl what the server would refuse', () => {
    expect(loginUrl('/?q=a\\b')).toBe('/bff/login?returnUrl=%2F%3Fq%3Da%255Cb');
    expect(logoutUrl({ logoutUrl: '/bff/logout?sid=abc' }, '/#\u00e9')).toBe('/bff/logout?sid=abc&returnUrl=%2F%23%25C3%25A9');
  });

  it('never passes a foreign returnUrl to login', () => {
    expect(loginUrl('https://evil.example/')).toBe('/bff/login?returnUrl=%2F');
    expect(loginUrl('//evil.example/')).toBe('/bff/login?returnUrl=%2F');
  });

  it('adds returnUrl to the logout URL once', () => {
    expect(logoutUrl({ logoutUrl: '/bff/logout?sid=abc' })).toBe('/bff/logout?sid=abc&returnUrl=%2F');
    expect(logoutUrl({ logoutUrl: '/bff/logout' })).toBe('/bff/logout?returnUrl=%2F');
    expect(logoutUrl({ logoutUrl: '/bff/logout?sid=abc' }, '/a?b=1&c=2#x')).toBe('/bff/logout?sid=abc&returnUrl=%2Fa%3Fb%3D1%26c%3D2%23x');
    expect(logoutUrl({ logoutUrl: '/bff/logout?sid=abc' }, 'https://evil.example')).toBe('/bff/logout?sid=abc&returnUrl=%2F');
    expect(logoutUrl({ logoutUrl: '/bff/logout?sid=abc&returnUrl=/bye' })).toBe('/bff/logout?sid=abc&returnUrl=/bye');
  });
});
